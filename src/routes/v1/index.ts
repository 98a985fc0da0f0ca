import type { App, RouteDeps } from '../types.js';
import { createEventRoute } from './events/create-event.js';
import { createEventBatchRoute } from './events/create-event-batch.js';
import { healthRoutes } from './health.js';
import { keyRoutes } from './keys/key-routes.js';
import { closePlaySessionRoute } from './play-sessions/close-play-session.js';
import { createPlaySessionRoute } from './play-sessions/create-play-session.js';
import { playSessionCompletenessRoute } from './play-sessions/play-session-completeness.js';
import { closeSessionRoute } from './sessions/close-session.js';
import { createSessionRoute } from './sessions/create-session.js';
import { listSessionEventsRoute } from './sessions/list-session-events.js';
import { studyRoutes } from './studies/study-routes.js';
import { updateStudyRoutes } from './studies/update-study.js';
import { createConsentRoute } from './research/create-consent.js';
import { participantRoutes } from './research/participant-routes.js';
import { studyStatsRoute } from './research/study-stats.js';
import { listAuditRoute } from './audit/list-audit.js';
import { exportRoutes } from './exports/export-routes.js';

/** Every route of API version 1. */
export function v1Routes(app: App, deps: RouteDeps): void {
  healthRoutes(app, deps);
  createSessionRoute(app, deps);
  closeSessionRoute(app, deps);
  listSessionEventsRoute(app, deps);
  createPlaySessionRoute(app, deps);
  closePlaySessionRoute(app, deps);
  playSessionCompletenessRoute(app, deps);
  createEventRoute(app, deps);
  createEventBatchRoute(app, deps);
  studyRoutes(app, deps);
  updateStudyRoutes(app, deps);
  createConsentRoute(app, deps);
  participantRoutes(app, deps);
  studyStatsRoute(app, deps);
  listAuditRoute(app, deps);
  exportRoutes(app, deps);
  keyRoutes(app, deps);
}
