// The terminal's size, followed on resize; a fixed size (tests, the render measurement) wins.
import { useStdout } from 'ink';
import { useCallback, useEffect, useState } from 'react';

export const useTerminalSize = (
  fixedWidth?: number,
  fixedHeight?: number,
): { width: number; height: number } => {
  const { stdout } = useStdout();
  const read = useCallback(
    () => ({ width: fixedWidth ?? stdout.columns ?? 100, height: fixedHeight ?? stdout.rows ?? 30 }),
    [stdout, fixedWidth, fixedHeight],
  );
  const [size, setSize] = useState(read);
  useEffect(() => {
    setSize(read());
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, read]);
  return size;
};
