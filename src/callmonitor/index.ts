/** The FRITZ!Box-format call-monitor feed (issue 13, compatibility with existing call-monitor clients). */
export { CallMonitor, monitorNumber, monitorTime, type CallMonitorOptions, type MonitoredCall, type MonitoredLine } from './call-monitor.js';
