/**
 * A participant's consent, as `consent()` sends it.
 *
 * @example
 * const request: ConsentRequest = { consentVersion: '2.1', ageRange: '18-25' };
 */
export interface ConsentRequest {
  /** The version of the consent form shown: letters, digits, `_`, `-` or `.`, up to 50. */
  consentVersion: string;
  /** Needed only with an admin key; an ingest key consents into its own study. */
  studyId?: string;
  /** The study's level by default. */
  privacyLevel?: 'anonymous' | 'pseudonymous' | 'identifiable';
  ethicsProtocolId?: string | null;
  /** Coarse, non-identifying facts, up to 100 characters each. */
  ageRange?: string | null;
  condition?: string | null;
  recruitmentSite?: string | null;
}

/**
 * The wire body of `POST /api/v1/research/consent`; fields left out are not sent.
 *
 * @example
 * consentBody({ consentVersion: '2.1' }); // { consent_version: '2.1' }
 */
export function consentBody(request: ConsentRequest): Record<string, unknown> {
  return {
    consent_version: request.consentVersion,
    study_id: request.studyId,
    privacy_level: request.privacyLevel,
    ethics_protocol_id: request.ethicsProtocolId,
    age_range: request.ageRange,
    condition: request.condition,
    recruitment_site: request.recruitmentSite,
  };
}
