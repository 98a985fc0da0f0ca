import Type from 'typebox';

import { assertStudyAccess } from '../../../auth/principal.js';
import { maxListed, playSessionCompleteness } from '../../../data/completeness.js';
import { getPlaySessionContext } from '../../../data/sessions.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors, IdParams, parseId } from '../../../schemas/common.js';
import type { App, RouteDeps } from '../../types.js';

const nullableInteger = Type.Union([Type.Integer(), Type.Null()]);

const Reply = Type.Object({
  play_session_id: Type.Integer(),
  closed: Type.Boolean(),
  received: Type.Integer({ description: 'events stored' }),
  duplicates: Type.Integer({
    description: 'resent events dropped because their client_event_id was already stored',
  }),
  rejected: Type.Integer({ description: 'events refused and kept as rejected-event records' }),
  without_sequence: Type.Integer({ description: 'stored events that carry no sequence number' }),
  first_sequence: nullableInteger,
  last_sequence: nullableInteger,
  expected_last_sequence: Type.Union([Type.Integer(), Type.Null()], {
    description: 'last_sequence the SDK sent when it closed the play session',
  }),
  rejected_sequences: Type.Array(Type.Integer(), {
    description: `sequence numbers of refused events: accounted for, not missing (at most ${maxListed})`,
  }),
  repeated_sequences: Type.Array(Type.Integer(), {
    description: `numbers carried by more than one stored event (at most ${maxListed})`,
  }),
  missing_count: Type.Integer({ description: 'sequence numbers neither stored nor rejected' }),
  missing: Type.Array(Type.Object({ from: Type.Integer(), to: Type.Integer() }), {
    description: `the missing numbers as ranges, lowest first (at most ${maxListed} ranges)`,
  }),
  beyond_expected: Type.Integer({
    description:
      'stored events numbered above expected_last_sequence (sent after the close said it ' +
      'was the last); 0 when the close gave no last_sequence',
  }),
  complete: Type.Boolean({
    description:
      'closed with a last_sequence, nothing missing, nothing repeated, nothing beyond the last',
  }),
});

export function playSessionCompletenessRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/api/v1/play-sessions/:id/completeness',
    {
      config: { roles: ['ingest', 'researcher', 'admin'] },
      schema: {
        summary: 'How complete a play session is',
        description:
          'Counts of stored, duplicate and rejected events, and the gaps in the sequence ' +
          'numbers from 1 to the highest known. An ingest key may ask about its own ' +
          "study's play sessions: the report holds counts and numbers, no event data.",
        tags: ['ingest', 'research'],
        params: IdParams,
        response: { 200: Reply, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const id = parseId(request.params.id, 'id');
      const context = await getPlaySessionContext(db, id);
      assertStudyAccess(principalOf(request), context.studyId);

      const report = await playSessionCompleteness(db, id);
      return {
        play_session_id: report.playSessionId,
        closed: report.closed,
        received: report.received,
        duplicates: report.duplicates,
        rejected: report.rejected,
        without_sequence: report.withoutSequence,
        first_sequence: report.firstSequence,
        last_sequence: report.lastSequence,
        expected_last_sequence: report.expectedLastSequence,
        rejected_sequences: report.rejectedSequences,
        repeated_sequences: report.repeatedSequences,
        missing_count: report.missingCount,
        missing: report.missing,
        beyond_expected: report.beyondExpected,
        complete: report.complete,
      };
    },
  );
}
