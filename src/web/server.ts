/**
 * hometel's web server (issue 11): the HTTP API under /api (JSON, validated by the route schemas, described by the
 * OpenAPI document at /api/openapi.json), the live-event stream, /metrics, and the web application's files.
 * fastify 5 (docs/decisions.md): schemas drive validation and the OpenAPI document, `inject()` tests routes
 * without sockets, and its hooks give one place for access control and request metrics.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AccountError, type AccountService } from '../accounts/index.js';
import { errorDetail, type Clock, type Logger } from '../base/index.js';
import { ConsoleError, type ConsoleEvent, type HomeConsole } from '../console/index.js';
import { ContactError, type ContactsService } from '../contacts/index.js';
import { RuleInvalid, type RuleBook } from '../callhandling/index.js';
import { PhonesError, type PhonesAdmin } from '../phones/index.js';
import { GreetingRefused, NoSuchLine, NoSuchMessage, type VoiceMailService } from '../voicemail/index.js';
import { ActivationInvalid, DecisionRefused, InvalidForwardTarget, TcUnavailable, UnknownCall, type CallHandlingService } from '../callhandling/index.js';
import type { PresenceSource } from '../phones/index.js';
import { provisioningFileRoutes } from './routes/provisioning-file-routes.js';
import { callHandlingRoutes } from './routes/call-handling-routes.js';
import { accessCheck } from './access.js';
import { BrowserClients, type BrowserClientHost } from './browser-clients.js';
import { CallerNames } from './caller-names.js';
import { EventStreams } from './event-stream.js';
import { accountRoutes } from './routes/account-routes.js';
import { homeRoutes } from './routes/home-routes.js';
import { browserRoutes } from './routes/browser-routes.js';
import { contactRoutes } from './routes/contact-routes.js';
import { ruleRoutes } from './routes/rule-routes.js';
import { voicemailRoutes } from './routes/voicemail-routes.js';
import { phoneRoutes } from './routes/phone-routes.js';
import { presenceRoutes } from './routes/presence-routes.js';
import { provisioningRoutes, type ProvisioningUrls } from './routes/provisioning-routes.js';
import { ProvisioningError, type DeviceFiles, type FileSource, type ProvisioningService } from '../provisioning/index.js';
import { sharedSchemas } from './schemas.js';
import { defaultUiDir, loadUi } from './static-ui.js';
import { uiRoutes } from './routes/ui-routes.js';

/** What the server reports to metrics and serves at /metrics (the metrics module's HometelMetrics has this shape). */
export interface WebMetrics {
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  text(): Promise<string>;
  readonly contentType: string;
}

export interface WebServerOptions {
  readonly accounts: AccountService;
  readonly console: HomeConsole;
  readonly browserClients: BrowserClientHost;
  /** The home's address book (its routes are served when it is given). */
  readonly contacts?: ContactsService;
  /** The screening rules and DND (their routes are served when it is given). */
  readonly rules?: RuleBook;
  /** The home's voicemail (its routes and live events are served when it is given). */
  readonly voicemail?: VoiceMailService;
  /** The presence of the home's phones (issue 14; GET /api/presence is served when it is given). */
  readonly presence?: PresenceSource;
  /** The home's call handling (its routes and events are served when it is given). */
  readonly callHandling?: CallHandlingService;
  /** The phones' extensions (issue 14; their routes are served when it is given). */
  readonly phones?: PhonesAdmin;
  /** The phones' configuration files (issue 15): GET /provisioning/*, without login, when it is given. */
  readonly provisioningFiles?: FileSource;
  /** The provisioned devices (issue 15; their routes are served when it is given). */
  readonly provisioning?: ProvisioningService;
  /** The configuration server's file previews (GET /api/provisioning/devices/:mac/files). */
  readonly deviceFiles?: DeviceFiles;
  /** Where phones fetch their files, by the web port (HTTP by default: the Host a request was sent to). */
  readonly provisioningUrls?: (webPort: number) => ProvisioningUrls;
  /** The largest file an import accepts (default 20 MiB). */
  readonly maxImportBytes?: number;
  readonly metrics?: WebMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the built web application is (default dist/ui). */
  readonly uiDir?: string;
}

export interface WebServer {
  readonly app: FastifyInstance;
  listen(host: string, port: number): Promise<string>;
  /** Pages connected to the live-event stream now (screens online, for call handling's liveness). */
  sessions(): number;
  close(): Promise<void>;
}

/** The HTTP status of an error a route let through, and its body. */
function failureOf(e: FastifyError | Error): { status: number; error: string; retryAfterMs?: number } {
  if (e instanceof ConsoleError) return { status: { 'not-found': 404, invalid: 400, conflict: 409 }[e.refusal], error: e.code };
  if (e instanceof AccountError) {
    const status = ({ 'setup-invalid': 403, 'setup-done': 409, 'weak-password': 400, 'label-invalid': 400, 'wrong-password': 401, 'rate-limited': 429, 'not-found': 404 } as const)[e.kind];
    return { status, error: e.code, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
  }
  if (e instanceof RuleInvalid) return { status: 400, error: e.code };
  if (e instanceof ContactError) return { status: { invalid: 400, 'not-found': 404, 'too-large': 413, unreadable: 400 }[e.kind], error: e.code };
  if (e instanceof NoSuchMessage || e instanceof NoSuchLine) return { status: 404, error: e.code };
  if (e instanceof GreetingRefused) return { status: 400, error: e.code };
  if (e instanceof PhonesError) return { status: { invalid: 400, exists: 409, 'not-found': 404 }[e.kind], error: e.code };
  if (e instanceof ProvisioningError) return { status: { invalid: 400, 'not-found': 404, conflict: 409 }[e.kind], error: e.code };
  if (e instanceof UnknownCall) return { status: 404, error: e.code };
  if (e instanceof DecisionRefused || e instanceof TcUnavailable) return { status: 409, error: e.code };
  if (e instanceof InvalidForwardTarget || e instanceof ActivationInvalid) return { status: 400, error: e.code };
  const fe = e as FastifyError;
  if (fe.validation) return { status: 400, error: 'request.invalid' };
  if (fe.statusCode === 413) return { status: 413, error: 'request.too-large' };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return { status: fe.statusCode, error: 'request.invalid' };
  return { status: 500, error: 'internal' };
}

export async function createWebServer(o: WebServerOptions): Promise<WebServer> {
  const logger = o.logger;
  const ui = loadUi(o.uiDir ?? defaultUiDir());
  // Strict validation: an unknown property is an error (not silently dropped), and no type coercion.
  const app = Fastify({ logger: false, bodyLimit: 128 * 1024, return503OnClosing: true, ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } }).withTypeProvider<TypeBoxTypeProvider>();
  const streams = new EventStreams(o.clock, logger.child('events'));
  const browsers: BrowserClients = new BrowserClients(o.browserClients, streams, logger.child('browser-tc'), () =>
    streams.broadcast({ type: 'home', home: browsers.mark(o.console.home()) }),
  );
  const names = new CallerNames(o.contacts);
  const forward = (event: ConsoleEvent): void => {
    if (event.type === 'home') return streams.broadcast({ ...event, home: browsers.mark(event.home) });
    streams.broadcast('call' in event && event.call ? { ...event, call: names.call(event.call) } : event);
  };
  o.console.on('event', forward);
  // Every page hears of a new, read or deleted message (the nav shows the unread count).
  const voicemailChanged = o.voicemail?.onChange(() => {
    const { unread, total } = o.voicemail!.info();
    streams.broadcast({ type: 'voicemail', unread, total });
  });
  const unhandled = o.callHandling?.onEvent((e) => streams.broadcast(e.type === 'record' ? { type: 'call-record', record: e.record } : e));

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'hometel API', version: '0.1.0', description: 'The home telephony hub: lines, Telephony Clients, live Calls, call log, live events.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'hometel_session' },
          token: { type: 'http', scheme: 'bearer', description: 'an API token made in the web UI' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  for (const s of sharedSchemas) app.addSchema(s);

  app.addHook('onRequest', accessCheck(o.accounts, logger));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    o.metrics?.httpRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
    logger.debug('http', { method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
  });
  app.setErrorHandler(async (e: FastifyError, req, reply) => {
    const f = failureOf(e);
    if (f.status >= 500) logger.error('request failed', { route: req.routeOptions.url, error: errorDetail(e) });
    else logger.info('request refused', { route: req.routeOptions.url, status: f.status, error: f.error, why: e.message, source: req.ip });
    if (f.retryAfterMs !== undefined) void reply.header('retry-after', Math.ceil(f.retryAfterMs / 1000));
    return reply.code(f.status).send({ error: f.error, message: f.status >= 500 ? 'internal error' : e.message, ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}) });
  });
  app.setNotFoundHandler(async (req, reply) => reply.code(404).send({ error: 'request.not-found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(accountRoutes(o.accounts));
  await app.register(homeRoutes(o.console, browsers, names));
  await app.register(browserRoutes(browsers, streams));
  if (o.callHandling) await app.register(callHandlingRoutes(o.callHandling));
  if (o.contacts) await app.register(contactRoutes(o.contacts, o.maxImportBytes ?? 20 * 1024 * 1024));
  if (o.rules) await app.register(ruleRoutes(o.rules, () => o.clock.now()));
  if (o.voicemail) await app.register(voicemailRoutes(o.voicemail));
  if (o.phones) await app.register(phoneRoutes(o.phones));
  if (o.presence) await app.register(presenceRoutes(o.presence));
  if (o.provisioningFiles) await app.register(provisioningFileRoutes(o.provisioningFiles));
  if (o.provisioning) {
    await app.register(provisioningRoutes({ service: o.provisioning, ...(o.deviceFiles ? { files: o.deviceFiles } : {}), ...(o.provisioningUrls ? { urls: o.provisioningUrls } : {}), logger }));
  }
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (o.metrics) {
    const metrics = o.metrics;
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()));
  }
  await app.register(uiRoutes(ui));
  await app.ready();

  return {
    app,
    async listen(host, port) {
      return app.listen({ host, port });
    },
    sessions: () => streams.size,
    async close() {
      o.console.off('event', forward);
      voicemailChanged?.();
      unhandled?.();
      streams.close();
      await browsers.stop();
      await app.close();
    },
  };
}
