// The moments a page or process may end, found without DOM or Node types so
// that this file builds for both.

type Listener = (event: unknown) => void;

interface EventTargetLike {
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
}

interface ProcessLike {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
  versions?: { node?: string };
}

/**
 * What to do when the page or the process may be about to end.
 *
 * @example
 * const stop = watchLifecycle({ hidden, shown, pageHide, beforeExit, exit });
 */
export interface LifecycleHandlers {
  /** The page was hidden; it may never be shown again. */
  hidden(): void;
  /** The page is visible again. */
  shown(): void;
  /** The page is going away; `persisted` when it may come back from the back-forward cache. */
  pageHide(persisted: boolean): void;
  /** Node has nothing left to do; Node waits for the returned promise. */
  beforeExit(): Promise<void>;
  /** Node is exiting: only synchronous work happens now. */
  exit(): void;
}

/**
 * Listens for page hide (browsers) and process exit (Node) on `scope`, the
 * global object by default, and returns a function that stops listening.
 *
 * @example
 * const stop = watchLifecycle(handlers);
 * // later
 * stop();
 */
export function watchLifecycle(
  handlers: LifecycleHandlers,
  scope: object = globalThis,
): () => void {
  const stops = [...watchPage(handlers, scope), ...watchProcess(handlers, scope)];
  return () => stops.forEach((stop) => stop());
}

function watchPage(handlers: LifecycleHandlers, scope: object): (() => void)[] {
  const { document, addEventListener } = scope as {
    document?: EventTargetLike & { visibilityState?: string };
    addEventListener?: unknown;
  };
  if (document === undefined || typeof addEventListener !== 'function') return [];
  const window = scope as EventTargetLike;

  const onVisibility = () => {
    if (document.visibilityState === 'hidden') handlers.hidden();
    else handlers.shown();
  };
  const onPageHide = (event: unknown) =>
    handlers.pageHide((event as { persisted?: boolean }).persisted === true);
  const onPageShow = () => handlers.shown();
  return [
    listen(document, 'visibilitychange', onVisibility),
    listen(window, 'pagehide', onPageHide),
    listen(window, 'pageshow', onPageShow),
  ];
}

function watchProcess(handlers: LifecycleHandlers, scope: object): (() => void)[] {
  const process = (scope as { process?: ProcessLike }).process;
  if (typeof process?.on !== 'function' || process.versions?.node === undefined) return [];

  // Node emits beforeExit again after the work it started; one try is enough.
  let tried = false;
  const onBeforeExit = () => {
    if (tried) return;
    tried = true;
    void handlers.beforeExit();
  };
  const onExit = () => handlers.exit();
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  return [() => process.off('beforeExit', onBeforeExit), () => process.off('exit', onExit)];
}

function listen(target: EventTargetLike, type: string, listener: Listener): () => void {
  target.addEventListener(type, listener);
  return () => target.removeEventListener(type, listener);
}
