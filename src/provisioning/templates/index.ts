/**
 * The templates of the provisioning files (mustache 4.2.0: logic-less, so a user's template cannot run code). Each
 * built-in one is a module of this folder; a user's file `<id>.<ext>.mustache` in `provisioning.templatesDir`
 * replaces it, read at every render (editing it changes the next download). XML templates escape values ({{ }}, as
 * XML: the five markup characters, not mustache's HTML set);
 * the `key = value` ones of Yealink take them as they are ({{{ }}}) from a context without control characters.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Mustache from 'mustache';
import { errorMessage, escapeXml, type Logger } from '../../base/index.js';
import { templateFileName, type TemplateId } from '../file-names.js';
import type { RenderContext } from './context.js';
import { genericDevice } from './generic.js';
import { grandstreamCommon, grandstreamDevice } from './grandstream.js';
import { polycomDevice, polycomMaster } from './polycom.js';
import { snomCommon, snomDevice } from './snom.js';
import { yealinkCommon, yealinkDevice } from './yealink.js';

export { renderContext, timeZoneOf, type AccountContext, type ContextInput, type RegistrarContext, type RenderContext } from './context.js';

export const builtInTemplates: Readonly<Record<TemplateId, string>> = {
  'yealink-common': yealinkCommon,
  'yealink-device': yealinkDevice,
  'snom-common': snomCommon,
  'snom-device': snomDevice,
  'grandstream-common': grandstreamCommon,
  'grandstream-device': grandstreamDevice,
  'polycom-master': polycomMaster,
  'polycom-device': polycomDevice,
  'generic-device': genericDevice,
};

export class Templates {
  private readonly dir: string;

  constructor(
    templatesDir: string,
    private readonly logger: Logger,
  ) {
    this.dir = path.resolve(templatesDir);
  }

  /** Where a user's template overriding `id` would be; undefined for a name that would leave the directory. */
  userFile(id: TemplateId): string | undefined {
    const file = path.resolve(this.dir, templateFileName(id));
    return path.dirname(file) === this.dir ? file : undefined;
  }

  /** The template text now: the user's file when there is one (and it parses), else the built-in one. */
  async text(id: TemplateId): Promise<string> {
    const file = this.userFile(id);
    if (file === undefined) return builtInTemplates[id];
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn('user template unreadable: the built-in one is used', { file, why: errorMessage(e) });
      return builtInTemplates[id];
    }
    try {
      Mustache.parse(text);
      return text;
    } catch (e) {
      this.logger.warn('user template does not parse: the built-in one is used', { file, why: errorMessage(e) });
      return builtInTemplates[id];
    }
  }

  async render(id: TemplateId, context: RenderContext): Promise<string> {
    return Mustache.render(await this.text(id), context, {}, { escape: (value: unknown) => escapeXml(String(value)) });
  }
}
