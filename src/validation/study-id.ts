/** A study id is a slug: safe in URLs, file names and logs. The database checks the same. */
export const studyIdPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;
