/** The phones service's repositories in memory, for unit tests (the SQLite ones are src/store/repositories/phone-repositories.ts). */
import type { Binding, BindingRepository, Extension, ExtensionRepository } from '../../src/phones/index.js';

export class MemoryBindingRepository implements BindingRepository {
  readonly bindings = new Map<string, readonly Binding[]>();

  list(extension?: string): Binding[] {
    return extension === undefined ? [...this.bindings.values()].flat() : [...(this.bindings.get(extension) ?? [])];
  }
  replace(extension: string, bindings: readonly Binding[]): void {
    this.bindings.set(extension, [...bindings]);
  }
  removeExpired(now: number): string[] {
    const gone: string[] = [];
    for (const [extension, bs] of this.bindings) {
      const live = bs.filter((b) => b.expiresAt > now);
      if (live.length === bs.length) continue;
      gone.push(extension);
      this.bindings.set(extension, live);
    }
    return gone;
  }
}

export class MemoryExtensionRepository implements ExtensionRepository {
  readonly extensions = new Map<string, Extension>();

  constructor(private readonly bindings: MemoryBindingRepository) {}

  list(): Extension[] {
    return [...this.extensions.values()].sort((a, b) => a.number.length - b.number.length || a.number.localeCompare(b.number));
  }
  get(number: string): Extension | undefined {
    return this.extensions.get(number);
  }
  put(extension: Extension): void {
    this.extensions.set(extension.number, extension);
  }
  remove(number: string): boolean {
    this.bindings.bindings.delete(number);
    return this.extensions.delete(number);
  }
}
