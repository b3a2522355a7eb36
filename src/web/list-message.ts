// What the forwards list says instead of rows, and what the page says while kubefwd cannot be reached.

/** Shown above every view while the page cannot reach its kubefwd (it stopped, or restarts). */
export const UNREACHABLE_TITLE = 'kubefwd is not reachable';
export const UNREACHABLE_TEXT =
  'It stopped, or it is restarting; what this page shows is its last known state. Start it again in a terminal ' +
  '(sudo -E kubefwd …, as you started it before); this page reconnects by itself once it runs. ' +
  'If it then asks you to log in, kubefwd open gives a new link.';

/**
 * The list's line when it shows no rows; undefined when it shows some. An unreachable kubefwd says
 * nothing about what is forwarded: the page's notice explains, not "Nothing is forwarded yet".
 */
export const emptyListText = (total: number, shown: number, reachable: boolean): string | undefined => {
  if (shown > 0) return undefined;
  if (total > 0) return 'No forward matches the filter.';
  return reachable
    ? 'Nothing is forwarded yet. Add a namespace or a service from the cluster.'
    : 'No forwards known: kubefwd could not be reached.';
};
