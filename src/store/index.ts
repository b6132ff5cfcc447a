export { Store } from './store.js';
export { SqliteTelCPNameRepository } from './repositories/telcp-name-repository.js';
export { SqliteCallLogRepository, DEFAULT_CALL_LOG_CAP } from './repositories/call-log-repository.js';
export { SqliteCallBackRepository } from './repositories/callback-repository.js';
export { SqliteAccountRepository } from './repositories/account-repository.js';
export { SqliteContactRepository } from './repositories/contact-repository.js';
export { SqliteRuleRepository } from './repositories/rule-repository.js';
export { SqliteVoiceMailRepository } from './repositories/voicemail-repository.js';
export { SqliteCallRecordRepository, DEFAULT_CALL_RECORD_CAP } from './repositories/call-record-repository.js';
