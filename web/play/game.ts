// The reaction-time test: ten rounds, each showing a target after a random
// wait, logged through the web SDK to the server that serves this page.
//
// The test takes pointer input only: a key press would measure a different
// response than reaching for a target, so it is not offered as a substitute.
import { EventType, WebTics, WebTicsError } from '/sdk/webtics.js';

const TRIALS = 10;
const MIN_WAIT_MS = 1000;
const MAX_WAIT_MS = 3000;
const RESPONSE_WINDOW_MS = 2000;
const FEEDBACK_MS = 700;
const BUILD_NUMBER = 'web-play-1.0.0';
const KEY_STORAGE = 'webtics.apiKey';

type Phase = 'idle' | 'waiting' | 'visible';
type Outcome = { hit: true; reactionMs: number } | { hit: false };
// Slips that do not end a round, shown on the result screen because accuracy,
// defined as hits out of all rounds, does not count them.
type Slips = { premature: number; offTarget: number };

const ui = {
  keyForm: byId<HTMLFormElement>('key-form'),
  keyInput: byId<HTMLInputElement>('key-input'),
  setup: byId<HTMLFormElement>('setup'),
  participant: byId<HTMLInputElement>('participant'),
  start: byId<HTMLButtonElement>('start'),
  forgetKey: byId<HTMLButtonElement>('forget-key'),
  status: byId<HTMLParagraphElement>('status'),
  arena: byId<HTMLDivElement>('arena'),
  target: byId<HTMLButtonElement>('target'),
  result: byId<HTMLElement>('result'),
  meanRt: byId<HTMLElement>('mean-rt'),
  accuracy: byId<HTMLElement>('accuracy'),
  sessionNote: byId<HTMLParagraphElement>('session-note'),
  prematureCount: byId<HTMLElement>('premature-count'),
  offTargetCount: byId<HTMLElement>('off-target-count'),
  timeoutCount: byId<HTMLElement>('timeout-count'),
  sendStatus: byId<HTMLParagraphElement>('send-status'),
  retrySend: byId<HTMLButtonElement>('retry-send'),
  again: byId<HTMLButtonElement>('again'),
};

let apiKey = takeKeyFromFragment() ?? readStoredKey();
let phase: Phase = 'idle';
let trial = 0;
let shownAt = 0;
let responseTimer: ReturnType<typeof setTimeout> | undefined;
let finishTrial: ((outcome: Outcome) => void) | undefined;
let activeRun: WebTics | undefined;
let slips: Slips = { premature: 0, offTarget: 0 };

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}`);
  return element as T;
}

// The key travels in the fragment, which browsers never send to the server;
// it is removed from the address bar so it does not end up in bookmarks.
function takeKeyFromFragment(): string | undefined {
  const key = new URLSearchParams(location.hash.slice(1)).get('key');
  if (!key) return undefined;

  history.replaceState(null, '', location.pathname + location.search);
  storeKey(key);
  return key;
}

function readStoredKey(): string | undefined {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeKey(key: string | undefined): void {
  try {
    if (key === undefined) localStorage.removeItem(KEY_STORAGE);
    else localStorage.setItem(KEY_STORAGE, key);
  } catch {
    // Storage may be disabled; the key then lasts until the page is closed.
  }
}

function randomPseudonym(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return 'player-' + Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

function showSetup(): void {
  ui.keyForm.hidden = apiKey !== undefined;
  ui.setup.hidden = apiKey === undefined;
  ui.arena.hidden = true;
  ui.result.hidden = true;
  ui.start.disabled = false;
  if (!ui.participant.value) ui.participant.value = randomPseudonym();
}

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startTask(): Promise<void> {
  if (!apiKey || !ui.setup.reportValidity()) return;

  ui.start.disabled = true;
  delete ui.result.dataset.status;
  setStatus('Connecting…');
  const run = new WebTics({ url: location.origin, apiKey, buildNumber: BUILD_NUMBER });
  try {
    const session = await run.startSession(ui.participant.value);
    ui.result.dataset.sessionId = String(session.id);
    await run.startPlay();
  } catch (error) {
    handleStartError(error);
    void run.close();
    return;
  }

  activeRun = run;
  await runTask(run);
}

function handleStartError(error: unknown): void {
  ui.start.disabled = false;
  if (error instanceof WebTicsError && (error.status === 401 || error.status === 403)) {
    forgetKey();
    setStatus('The server did not accept this key. Please paste a valid one.');
    return;
  }
  const reason = error instanceof Error ? error.message : String(error);
  setStatus(`Could not start: ${reason}`);
}

async function runTask(run: WebTics): Promise<void> {
  ui.setup.hidden = true;
  ui.arena.hidden = false;
  run.log(EventType.TASK_START, { data: { trials: TRIALS } });

  slips = { premature: 0, offTarget: 0 };
  const reactionTimes: number[] = [];
  for (trial = 1; trial <= TRIALS; trial++) {
    const outcome = await runTrial(run);
    if (outcome.hit) reactionTimes.push(outcome.reactionMs);
    // Leaves the round's feedback on screen. The pause comes before the next
    // round's 1–3 s wait rather than out of it, so that wait keeps its range;
    // clicks during the pause are ignored, not counted as early.
    await delay(FEEDBACK_MS);
  }

  const accuracy = (reactionTimes.length / TRIALS) * 100;
  run.log(EventType.TASK_COMPLETE, {
    magnitude: accuracy,
    data: { correct: reactionTimes.length },
  });
  showResult(reactionTimes, accuracy);
  await sendAll(run);
}

async function runTrial(run: WebTics): Promise<Outcome> {
  phase = 'waiting';
  setStatus(`Round ${trial} of ${TRIALS}: wait for the circle…`);
  await delay(MIN_WAIT_MS + Math.random() * (MAX_WAIT_MS - MIN_WAIT_MS));

  const position = placeTarget();
  setStatus('Click the circle!');
  const outcome = new Promise<Outcome>((resolve) => (finishTrial = resolve));
  // The target reaches the screen with the next frame; time counts from there.
  requestAnimationFrame((frameTime) => {
    shownAt = frameTime;
    phase = 'visible';
    run.log(EventType.TRIAL_START, {
      ...position,
      data: { trial, ...arenaSize() },
      monotonicAt: frameTime,
    });
    responseTimer = setTimeout(() => timeOut(run), RESPONSE_WINDOW_MS);
  });
  return outcome;
}

function arenaSize(): { area_width: number; area_height: number } {
  return { area_width: ui.arena.clientWidth, area_height: ui.arena.clientHeight };
}

// Places the target at random inside the arena and returns its centre in
// CSS pixels from the arena's top left corner.
function placeTarget(): { x: number; y: number } {
  ui.target.hidden = false;
  const size = ui.target.offsetWidth;
  const left = Math.random() * Math.max(0, ui.arena.clientWidth - size);
  const top = Math.random() * Math.max(0, ui.arena.clientHeight - size);

  ui.target.style.left = `${left}px`;
  ui.target.style.top = `${top}px`;
  return { x: Math.round(left + size / 2), y: Math.round(top + size / 2) };
}

function endTrial(outcome: Outcome): void {
  const finish = finishTrial;
  clearTimeout(responseTimer);
  ui.target.hidden = true;
  phase = 'idle';
  finishTrial = undefined;
  finish?.(outcome);
}

function timeOut(run: WebTics): void {
  if (phase !== 'visible') return;

  run.log(EventType.RESPONSE_TIMEOUT, { magnitude: RESPONSE_WINDOW_MS, data: { trial } });
  setStatus('Too slow this time.');
  endTrial({ hit: false });
}

// Pointer down rather than click: a click fires on release, which would add
// the time the button is held to every reaction time.
function onPointerDown(event: PointerEvent): void {
  const run = activeRun;
  if (!run || !event.isPrimary || event.button !== 0) return;

  if (phase === 'waiting') {
    run.log(EventType.PREMATURE_RESPONSE, { data: { trial }, monotonicAt: event.timeStamp });
    slips.premature++;
    setStatus('Too soon: wait for the circle.');
  } else if (phase === 'visible') {
    onResponse(run, event);
  }
}

function onResponse(run: WebTics, event: PointerEvent): void {
  // Event time stamps share performance.now()'s clock and exclude handler delay.
  const reactionMs = Math.round(Math.max(0, event.timeStamp - shownAt) * 10) / 10;
  const data = { trial };
  const monotonicAt = event.timeStamp;

  if (event.target !== ui.target) {
    run.log(EventType.INCORRECT_RESPONSE, { magnitude: reactionMs, data, monotonicAt });
    slips.offTarget++;
    setStatus('Missed: click the circle.');
    return;
  }
  run.log(EventType.CORRECT_RESPONSE, { magnitude: reactionMs, data, monotonicAt });
  setStatus(`${Math.round(reactionMs)} ms`);
  endTrial({ hit: true, reactionMs });
}

function showResult(reactionTimes: number[], accuracy: number): void {
  const hits = reactionTimes.length;
  const mean = reactionTimes.reduce((sum, ms) => sum + ms, 0) / hits;
  ui.arena.hidden = true;
  showSessionNote(ui.result.dataset.sessionId ?? '');

  ui.meanRt.textContent = hits > 0 ? `${Math.round(mean)} ms` : 'no hits';
  ui.accuracy.textContent = `${accuracy} % (${hits} of ${TRIALS} rounds hit)`;
  ui.prematureCount.textContent = String(slips.premature);
  ui.offTargetCount.textContent = String(slips.offTarget);
  ui.timeoutCount.textContent = String(TRIALS - hits);
  ui.result.hidden = false;
  setStatus('Done.');
}

function showSessionNote(sessionId: string): void {
  const id = document.createElement('strong');
  id.textContent = sessionId;
  ui.sessionNote.replaceChildren(
    'Your session id is ',
    id,
    '. A researcher can read the events of this test with it.',
  );
}

async function sendAll(run: WebTics): Promise<void> {
  ui.result.dataset.status = 'sending';
  ui.sendStatus.textContent = 'Sending your results…';
  ui.retrySend.hidden = true;
  ui.again.disabled = true;
  try {
    await run.endSession();
    // Frees this run's stored queue (now empty) and its page listeners.
    await run.close();
    ui.result.dataset.status = 'sent';
    ui.sendStatus.textContent = 'Your results have been sent.';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ui.result.dataset.status = 'failed';
    // They stay stored in this browser: a retry, or the next visit, sends them.
    ui.sendStatus.textContent = `Your results could not be sent yet (${reason}).`;
    ui.retrySend.hidden = false;
  } finally {
    ui.again.disabled = false;
  }
}

function forgetKey(): void {
  apiKey = undefined;
  storeKey(undefined);
  showSetup();
}

function saveKey(event: SubmitEvent): void {
  event.preventDefault();
  const key = ui.keyInput.value.trim();
  if (!key) return;

  apiKey = key;
  storeKey(key);
  ui.keyInput.value = '';
  setStatus('');
  showSetup();
}

function onStart(event: SubmitEvent): void {
  event.preventDefault();
  void startTask();
}

ui.keyForm.addEventListener('submit', saveKey);
ui.setup.addEventListener('submit', onStart);
ui.forgetKey.addEventListener('click', forgetKey);
ui.arena.addEventListener('pointerdown', onPointerDown);
ui.retrySend.addEventListener('click', () => {
  if (!activeRun) return;
  // A 401 or 403 paused sending; a retry is the participant's wish to try again.
  activeRun.resumeSending();
  void sendAll(activeRun);
});
ui.again.addEventListener('click', () => {
  setStatus('');
  showSetup();
});
showSetup();
