/**
 * A process's long-lived services (the decision engine, token services, queue producers …), made
 * by the composition root when the process starts and handed to every service context. A module
 * declares a typed key for what it provides (`serviceKey<TokenServices>('auth.tokens')`); callers
 * ask the registry for it. Nothing is found through globals or keyed by an ORM's configuration.
 */
export interface ServiceKey<T> {
  readonly name: string;
  /** Phantom: carries the type only. */
  readonly __type?: T;
}

export const serviceKey = <T>(name: string): ServiceKey<T> => ({ name });

export class ServiceRegistry {
  private readonly entries = new Map<string, unknown>();

  set<T>(key: ServiceKey<T>, value: T): this {
    if (this.entries.has(key.name)) throw new Error(`Service ${key.name} is provided twice`);
    this.entries.set(key.name, value);
    return this;
  }

  get<T>(key: ServiceKey<T>): T {
    if (!this.entries.has(key.name)) throw new Error(`Service ${key.name} is not started in this process`);
    return this.entries.get(key.name) as T;
  }

  has(key: ServiceKey<unknown>): boolean {
    return this.entries.has(key.name);
  }
}
