import { ConfigError, type Config } from './config.js';

/** Shorter secrets are refused in production; `webtics secrets` writes 86 characters. */
export const minSecretLength = 32;

// The values .env.example ships with, and the usual stand-ins people type; long
// enough that a random secret starts like this less than once in 10^7 times.
const placeholderPattern = /^(change[_-]?me|replace[_-]?me|generate[_-]?with|your[_-])/i;

/** True for a value copied from .env.example or typed as a stand-in, never for a random one. */
export function isPlaceholder(value: string): boolean {
  return placeholderPattern.test(value) || /^<.*>$/.test(value);
}

function secretProblem(variable: string, value: string | undefined): ConfigError | undefined {
  if (value === undefined) return new ConfigError(variable, 'is required in production');
  if (isPlaceholder(value)) {
    return new ConfigError(variable, 'is still the placeholder from .env.example');
  }
  if (value.length < minSecretLength) {
    return new ConfigError(variable, `is shorter than ${minSecretLength} characters`);
  }
  return undefined;
}

/** A wildcard would let every web page on the internet call the API with a key it holds. */
export function originsProblem(config: Config): ConfigError | undefined {
  if (config.environment !== 'production' || !config.allowedOrigins.includes('*')) return;
  return new ConfigError('ALLOWED_ORIGINS', 'must list origins in production, not *');
}

/** An http:// public URL would make the HTTPS redirect point at plain HTTP again. */
export function publicUrlProblem(config: Config): ConfigError | undefined {
  if (config.environment !== 'production' || config.publicUrl === undefined) return;
  if (config.publicUrl.startsWith('https://')) return;
  return new ConfigError('PUBLIC_URL', 'must start with https:// in production');
}

function apiKeyProblem(value: string | undefined): ConfigError | undefined {
  if (value === undefined || !isPlaceholder(value)) return undefined;
  return new ConfigError('WEBTICS_API_KEY', 'is still the placeholder from .env.example');
}

/** Every reason the configuration is not fit for production; empty outside production. */
export function productionProblems(config: Config): ConfigError[] {
  if (config.environment !== 'production') return [];
  return [
    secretProblem('SECRET_KEY', config.secretKey),
    secretProblem('WITHDRAWAL_SECRET_KEY', config.withdrawalSecretKey),
    apiKeyProblem(config.webticsApiKey),
    originsProblem(config),
    publicUrlProblem(config),
  ].filter((problem) => problem !== undefined);
}

/** Several problems found at once, so an operator fixes them in one go. */
export class ProductionConfigError extends ConfigError {
  constructor(readonly problems: ConfigError[]) {
    super(problems[0]?.variable ?? 'ENVIRONMENT', problems[0]?.rule ?? 'is not ready');
    this.name = 'ProductionConfigError';
    this.message =
      'not fit for production:\n' + problems.map((problem) => `  ${problem.message}`).join('\n');
  }
}

/** Stops a production start whose secrets or settings are missing, placeholders or unsafe. */
export function assertProductionReady(config: Config): void {
  const problems = productionProblems(config);
  if (problems.length > 0) throw new ProductionConfigError(problems);
}
