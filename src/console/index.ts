/** The home console: the application service every screen uses (lines, clients, live Calls, call log, events). */
export { ConsoleError, HomeConsole, type AnsweredBy, type ConsoleEvent, type ConsoleEvents, type ConsoleRefusal, type HomeConsoleOptions } from './home-console.js';
export type { ClientView, HomeView, LineView, LiveCall, LogEntry, LogOutcome, RemoteView } from './views.js';
