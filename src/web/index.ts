/** hometel's web server: the HTTP API, the live-event stream, /metrics and the web application (issue 11). */
export { createWebServer, type WebMetrics, type WebServer, type WebServerOptions } from './server.js';
export type { BrowserClientHost, BrowserSignal, HostedBrowserClient } from './browser-clients.js';
