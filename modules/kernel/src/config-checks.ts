/**
 * Rules that involve more than one setting (a provider and the settings it needs, production and
 * its keys). Each returns the problems it finds; `loadConfig` runs them all after every variable
 * parsed on its own, so one start reports every problem at once, naming the variables involved.
 * Modules register theirs next to their config section.
 */
export interface ConfigProblem {
  /** The variables involved, e.g. ['EMAIL_PROVIDER', 'SMTP_HOST']. */
  variables: string[];
  message: string;
}

export type ConfigCheck = (values: Record<string, unknown>) => ConfigProblem[];

const checks: ConfigCheck[] = [];

export function registerConfigCheck(check: ConfigCheck): void {
  checks.push(check);
}

export const configChecks = (): readonly ConfigCheck[] => checks;

/** `VALUE` unset or blank. */
export const missing = (values: Record<string, unknown>, name: string) => values[name] === undefined || values[name] === '';
