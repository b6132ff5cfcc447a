/**
 * `hometel start` with provisioning inside a test's network namespace (the hub), its config written by the test and
 * prepared before the start (extensions and devices it finds at its start), and the store opened as the CLI opens it.
 */
import { silentLogger, systemClock } from '../../src/base/index.js';
import { validateConfig, type HometelConfig } from '../../src/app/config.js';
import { openProvisioning } from '../../src/app/provisioning.js';
import type { ProvisioningService } from '../../src/provisioning/index.js';
import { startConfiguredHometel, type ConfiguredHometel } from './hometel-process.js';

export interface ProvisioningHub extends ConfiguredHometel {
  /** The config file (`--config` of the CLI). */
  readonly configFile: string;
  readonly config: HometelConfig;
  /** Runs `f` on the provisioning service over the same store, opened in this process as the CLI opens it. */
  provisioning<T>(f: (p: ProvisioningService) => T): T;
}

/** `prepare` runs on the config before hometel starts. hometel logs at debug level (the tests read its log). */
export async function startProvisioningHub(
  prefix: string,
  config: (dir: string) => object,
  netns: string,
  prepare?: (config: HometelConfig) => void,
): Promise<ProvisioningHub> {
  let validated: HometelConfig | undefined;
  const hometel = await startConfiguredHometel(
    prefix,
    (dir) => {
      const raw = { logLevel: 'debug', ...config(dir) };
      validated = validateConfig(raw);
      prepare?.(validated);
      return raw;
    },
    netns,
  );
  const hubConfig = validated!;
  return {
    ...hometel,
    configFile: `${hometel.dir}/hometel.json`,
    config: hubConfig,
    provisioning: (f) => withProvisioning(hubConfig, f),
  };
}

/** Runs `f` on the provisioning service of the config's store (opened and closed around it). */
export function withProvisioning<T>(config: HometelConfig, f: (p: ProvisioningService) => T): T {
  const opened = openProvisioning(config, systemClock, silentLogger);
  try {
    return f(opened.provisioning);
  } finally {
    opened.close();
  }
}
