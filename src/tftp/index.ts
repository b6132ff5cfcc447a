/** TFTP (RFC 1350 with the options of RFC 2347, 2348, 2349): a read-only server over a file callback. */
export { decodePacket, encodePacket, ErrorCode, Opcode, TftpPacketError, type TftpErrorCode, type TftpPacket } from './packets.js';
export { DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE, negotiate, type Negotiated } from './options.js';
export { filenameProblem, toNetascii } from './requests.js';
export { ReadTransfer, type TftpPeer, type TransferOutcome, type TransferResult, type TransferTiming } from './transfer.js';
export { TftpServer, type TftpReadAnswer, type TftpReadHandler, type TftpServerOptions } from './server.js';
