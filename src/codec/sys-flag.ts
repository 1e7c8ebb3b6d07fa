/**
 * SYSFLAG bits of a commit-log record (`common/sysflag/MessageSysFlag.java`), and the transaction
 * type held in bits 2-3.
 *
 * | mask  | name                  | meaning                                             |
 * |-------|-----------------------|-----------------------------------------------------|
 * | 0x1   | COMPRESSED            | body is compressed                                  |
 * | 0x2   | MULTI_TAGS            | topic filter type MULTI_TAG                         |
 * | 0xC   | TRANSACTION_MASK      | 0x0 NOT_TYPE, 0x4 PREPARED, 0x8 COMMIT, 0xC ROLLBACK |
 * | 0x10  | BORNHOST_V6           | born host is 16-byte IPv6                           |
 * | 0x20  | STOREHOST_V6          | store host is 16-byte IPv6                          |
 * | 0x40  | NEED_UNWRAP           | (5.x) batch marker                                  |
 * | 0x80  | INNER_BATCH           | (5.x) inner-batch message                           |
 * | 0x700 | COMPRESSION_TYPE_MASK | (5.x) 0x100 LZ4, 0x200 ZSTD, 0x300 ZLIB             |
 */

export const SysFlag = {
  COMPRESSED: 0x1,
  MULTI_TAGS: 0x2,
  TRANSACTION_MASK: 0xc,
  BORNHOST_V6: 0x10,
  STOREHOST_V6: 0x20,
  NEED_UNWRAP: 0x40,
  INNER_BATCH: 0x80,
  COMPRESSION_TYPE_MASK: 0x700,
} as const;

export const TransactionType = {
  NOT_TYPE: 0x0,
  PREPARED: 0x4,
  COMMIT: 0x8,
  ROLLBACK: 0xc,
} as const;

export type TransactionTypeValue = (typeof TransactionType)[keyof typeof TransactionType];

export function transactionTypeOf(sysFlag: number): TransactionTypeValue {
  return (sysFlag & SysFlag.TRANSACTION_MASK) as TransactionTypeValue;
}

/** Sets the transaction type bits of `sysFlag`. */
export function withTransactionType(sysFlag: number, type: TransactionTypeValue): number {
  return (sysFlag & ~SysFlag.TRANSACTION_MASK) | type;
}
