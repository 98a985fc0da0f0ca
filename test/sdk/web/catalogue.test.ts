import { describe, expect, it } from 'vitest';

import { eventCatalogue, magnitudeRules } from '../../../src/validation/catalogue.js';
import { EventType, magnitudeRanges } from '../../../sdk/web/src/webtics.js';

// The SDK carries its own copy of the catalogue (it has no run-time
// dependencies); this keeps the copy equal to the server's defaults.
describe("the web SDK's event catalogue", () => {
  it('has the same names and numbers as the server', () => {
    expect(EventType).toEqual(eventCatalogue);
  });

  it('has the same magnitude units and ranges as the server', () => {
    const server = Object.fromEntries(
      [...magnitudeRules].map(([type, rule]) => [
        type,
        { min: rule.min, max: rule.max, unit: rule.unit },
      ]),
    );
    expect(magnitudeRanges).toEqual(server);
  });
});
