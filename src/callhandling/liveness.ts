/**
 * Activation by liveness (seed 004 2.2 5): the home counts as online while any screen is — a TelCP other than
 * hometel's own console subscribed to a line's CallManagement, a web page connected, a phone registered. With
 * nobody online the "nobody home" action applies at once. Manual activation overrides: `on` always rings the
 * screens, `off` treats every call as nobody home (the user does not want to be interrupted, 2.2 5 ii).
 */
import { HometelError } from '../base/index.js';
import { activations, type Activation, type LivenessSource } from './ports.js';

export class ActivationInvalid extends HometelError {
  readonly code = 'callhandling.activation-invalid';
  constructor(value: string) {
    super(`activation must be one of ${activations.join(', ')}, not ${JSON.stringify(value)}`);
  }
}

export interface LivenessStatus {
  readonly activation: Activation;
  /** Whether a Call rings the screens now. */
  readonly active: boolean;
  readonly screens: ReadonlyArray<{ readonly source: string; readonly online: number }>;
}

export class Liveness {
  private readonly sources = new Set<LivenessSource>();

  constructor(
    private mode: Activation,
    private readonly persist: (mode: Activation) => void,
  ) {}

  /** Adds a kind of screen; returns its removal (the web application stops, say). */
  add(source: LivenessSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  get activation(): Activation {
    return this.mode;
  }

  setActivation(value: string): LivenessStatus {
    if (!(activations as readonly string[]).includes(value)) throw new ActivationInvalid(value);
    this.mode = value as Activation;
    this.persist(this.mode);
    return this.status();
  }

  active(): boolean {
    if (this.mode !== 'auto') return this.mode === 'on';
    for (const s of this.sources) if (s.online() > 0) return true;
    return false;
  }

  status(): LivenessStatus {
    return { activation: this.mode, active: this.active(), screens: [...this.sources].map((s) => ({ source: s.name, online: s.online() })) };
  }
}
