/**
 * When has a device's configuration changed (issue 15, check-sync and RFC 6080 NOTIFYs)? Whenever its file would be
 * served differently: the watch keeps a fingerprint of each device's file (the files service's `fingerprint`) and
 * tells `changed(device)` only when a new one differs. It looks again on every change this process hears of — the
 * provisioning service's events, the phones' extension events (a password, a new line) — and, every `pollMs`, when
 * the store's version moved: another process (the CLI: `hometel provision …`, `hometel phones passwd`) committed
 * something. An administrator's resync (`resyncRequestedAt`, maybe set by the CLI) is told once as `resync(device)`.
 *
 * Looks never overlap: a change heard during one is looked at once it ends.
 */
import { errorMessage, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import type { PhonesEvent } from '../../phones/index.js';
import type { Device, ProvisioningEvent } from '../../provisioning/index.js';

export interface ProfileWatchOptions {
  readonly devices: {
    devices(): Device[];
    onChange(listener: (e: ProvisioningEvent) => void): () => void;
    /** Moves when another process committed to the store (SQLite's data_version). */
    version(): number;
  };
  readonly phones: { onChange(listener: (e: PhonesEvent) => void): () => void };
  /** The fingerprint of the device's own file as it would be served now; undefined when it has none (pending). */
  readonly fingerprint: (mac: string) => Promise<string | undefined>;
  /** The device's file changed (not at the first look: that only learns the fingerprints). */
  readonly changed: (device: Device) => void;
  /** An administrator asked for a resync the watch has not told yet: true once told (a phone was registered). */
  readonly resync: (device: Device) => boolean;
  readonly clock: Clock;
  /** How often the store's version is polled; default 2000 ms. */
  readonly pollMs?: number;
  readonly logger: Logger;
}

export class ProfileWatch {
  /** The last fingerprint of each device seen (undefined: seen without a file). */
  private readonly prints = new Map<string, string | undefined>();
  /** The resync request (its time) told for each device. */
  private readonly resyncs = new Map<string, number>();
  /** Devices with a resync not told yet: nobody was registered (a registration makes it look again). */
  private readonly untold = new Set<string>();
  private readonly unsubscribe: Array<() => void> = [];
  private version = 0;
  private timer?: TimerHandle;
  private looking?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly o: ProfileWatchOptions) {}

  /** Learns every device's fingerprint (no notification), tells pending resyncs, then watches. */
  async start(): Promise<void> {
    this.version = this.o.devices.version();
    this.unsubscribe.push(
      this.o.devices.onChange(() => void this.look()),
      this.o.phones.onChange((e) => {
        if (e.type !== 'registrations' || this.untold.size > 0) void this.look();
      }),
    );
    await this.run(true);
    this.poll();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Looks at every device now (or once the look in progress ends); resolves when that look is done. */
  look(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.looking) {
      this.again = true;
      return this.looking;
    }
    return this.run(false);
  }

  private run(first: boolean): Promise<void> {
    this.looking = (async () => {
      do {
        this.again = false;
        await this.lookOnce(first);
        first = false;
      } while (this.again && !this.stopped);
    })().finally(() => (this.looking = undefined));
    return this.looking;
  }

  private poll(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimer(this.o.pollMs ?? 2000, () => {
      const v = this.o.devices.version();
      if (v !== this.version) {
        this.version = v;
        void this.look();
      }
      this.poll();
    });
  }

  private async lookOnce(first: boolean): Promise<void> {
    const devices = this.o.devices.devices();
    const known = new Set(devices.map((d) => d.mac));
    for (const mac of this.prints.keys()) if (!known.has(mac)) this.prints.delete(mac);
    for (const device of devices) {
      if (this.stopped) return;
      try {
        await this.lookAt(device, first);
      } catch (e) {
        this.o.logger.warn('device configuration not checked', { mac: device.mac, error: errorMessage(e) });
      }
    }
  }

  private async lookAt(device: Device, first: boolean): Promise<void> {
    const print = await this.o.fingerprint(device.mac);
    const seen = this.prints.has(device.mac);
    const before = this.prints.get(device.mac);
    this.prints.set(device.mac, print);
    const changed = print !== undefined && (seen ? before !== print : !first);
    if (changed) {
      this.o.logger.info('device configuration changed', { mac: device.mac });
      this.o.changed(device);
    }
    const asked = device.resyncRequestedAt;
    if (asked === undefined || this.resyncs.get(device.mac) === asked) {
      this.untold.delete(device.mac);
      return;
    }
    // A change just told covers the resync: the phone fetches once.
    if (changed || this.o.resync(device)) {
      this.resyncs.set(device.mac, asked);
      this.untold.delete(device.mac);
    } else this.untold.add(device.mac);
  }
}
