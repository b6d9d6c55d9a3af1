import { validateBic, validateIban } from './bank-account.js';
import { decimalOf, minorUnitExponent } from './currency-exponent.js';
import { isSepaReference, sepaText } from './sepa-text.js';

export { validateBic, validateIban, type AccountIdCheck } from './bank-account.js';

export const PAIN_001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

export interface BankParty {
  readonly name: string;
  readonly iban: string;
  readonly bic?: string;
}

export interface BankPayment {
  /** Unique per payout and kept by the bank end to end: `endToEndIdOf(payoutId)`. */
  readonly endToEndId: string;
  readonly amountMinor: bigint;
  /** ISO 4217, upper case. */
  readonly currency: string;
  readonly creditor: BankParty;
  readonly remittance: string;
}

export interface CreditTransferFile {
  /** Unique per file (the bank refuses a second file with the same id), at most 35 characters. */
  readonly messageId: string;
  readonly createdAt: Date;
  readonly initiatingParty: string;
  readonly debtor: BankParty & { readonly bic: string };
  /** YYYY-MM-DD. */
  readonly requestedExecutionDate: string;
  readonly payments: readonly BankPayment[];
}

export class BankFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BankFileError';
  }
}

const NAME_MAX = 70;
const REMITTANCE_MAX = 140;

/** A payout's uuid as an EndToEndId (32 hex characters: a uuid with its dashes is one too long). */
export function endToEndIdOf(payoutId: string): string {
  return payoutId.replace(/-/g, '').toLowerCase();
}

/**
 * An ISO 20022 pain.001.001.09 customer credit transfer initiation: one PmtInf per currency (SEPA service
 * level for EUR), control sums from integer minor units, names and remittance text in the SEPA character
 * set. The same input renders the same bytes.
 */
export function renderPain001(file: CreditTransferFile): string {
  checkFile(file);
  const byCurrency = new Map<string, BankPayment[]>();
  for (const payment of file.payments) {
    byCurrency.set(payment.currency, [...(byCurrency.get(payment.currency) ?? []), payment]);
  }
  const currencies = [...byCurrency.keys()].sort();
  const debtorBic = validatedBic(file.debtor.bic, 'debtor');
  const debtorIban = validatedIban(file.debtor.iban, 'debtor');
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${PAIN_001_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    '  <CstmrCdtTrfInitn>',
    '    <GrpHdr>',
    `      <MsgId>${xml(file.messageId)}</MsgId>`,
    `      <CreDtTm>${file.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}</CreDtTm>`,
    `      <NbOfTxs>${file.payments.length}</NbOfTxs>`,
    `      <CtrlSum>${controlSum(file.payments)}</CtrlSum>`,
    `      <InitgPty><Nm>${partyName(file.initiatingParty, 'initiating party')}</Nm></InitgPty>`,
    '    </GrpHdr>',
  ];
  for (const currency of currencies) {
    const payments = byCurrency.get(currency)!;
    const sepa = currency === 'EUR';
    lines.push(
      '    <PmtInf>',
      `      <PmtInfId>${xml(`${file.messageId.slice(0, 31)}-${currency}`)}</PmtInfId>`,
      '      <PmtMtd>TRF</PmtMtd>',
      '      <BtchBookg>true</BtchBookg>',
      `      <NbOfTxs>${payments.length}</NbOfTxs>`,
      `      <CtrlSum>${controlSum(payments)}</CtrlSum>`,
      ...(sepa ? ['      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>'] : []),
      `      <ReqdExctnDt><Dt>${file.requestedExecutionDate}</Dt></ReqdExctnDt>`,
      `      <Dbtr><Nm>${partyName(file.debtor.name, 'debtor')}</Nm></Dbtr>`,
      `      <DbtrAcct><Id><IBAN>${debtorIban}</IBAN></Id></DbtrAcct>`,
      `      <DbtrAgt><FinInstnId><BICFI>${debtorBic}</BICFI></FinInstnId></DbtrAgt>`,
      // SEPA: each side pays its own bank (SLEV); elsewhere the shared-charges equivalent.
      `      <ChrgBr>${sepa ? 'SLEV' : 'SHAR'}</ChrgBr>`,
    );
    for (const payment of payments) lines.push(...transaction(payment));
    lines.push('    </PmtInf>');
  }
  lines.push('  </CstmrCdtTrfInitn>', '</Document>', '');
  return lines.join('\n');
}

function transaction(payment: BankPayment): string[] {
  const amount = decimalOf(payment.amountMinor, minorUnitExponent(payment.currency));
  const remittance = sepaText(payment.remittance, REMITTANCE_MAX);
  const bic = payment.creditor.bic === undefined ? undefined : validatedBic(payment.creditor.bic, 'creditor');
  return [
    '      <CdtTrfTxInf>',
    `        <PmtId><EndToEndId>${xml(payment.endToEndId)}</EndToEndId></PmtId>`,
    `        <Amt><InstdAmt Ccy="${payment.currency}">${amount}</InstdAmt></Amt>`,
    ...(bic ? [`        <CdtrAgt><FinInstnId><BICFI>${bic}</BICFI></FinInstnId></CdtrAgt>`] : []),
    `        <Cdtr><Nm>${partyName(payment.creditor.name, 'creditor')}</Nm></Cdtr>`,
    `        <CdtrAcct><Id><IBAN>${validatedIban(payment.creditor.iban, 'creditor')}</IBAN></Id></CdtrAcct>`,
    ...(remittance ? [`        <RmtInf><Ustrd>${xml(remittance)}</Ustrd></RmtInf>`] : []),
    '      </CdtTrfTxInf>',
  ];
}

/**
 * The sum of amounts irrespective of currency, as ISO 20022 defines CtrlSum: every amount scaled to the
 * largest exponent present, added as integers, written with that many decimals.
 */
function controlSum(payments: readonly BankPayment[]): string {
  const exponents = payments.map((payment) => minorUnitExponent(payment.currency));
  const scale = Math.max(...exponents);
  const total = payments.reduce(
    (sum, payment, index) => sum + payment.amountMinor * 10n ** BigInt(scale - exponents[index]!),
    0n,
  );
  return decimalOf(total, scale);
}

function checkFile(file: CreditTransferFile): void {
  if (!isSepaReference(file.messageId)) {
    throw new BankFileError('invalid_message_id', `MsgId "${file.messageId}" is not 1-35 SEPA characters`);
  }
  if (Number.isNaN(file.createdAt.getTime()))
    throw new BankFileError('invalid_created_at', 'createdAt is not a date');
  if (!isCalendarDate(file.requestedExecutionDate)) {
    throw new BankFileError(
      'invalid_execution_date',
      `"${file.requestedExecutionDate}" is not a YYYY-MM-DD date`,
    );
  }
  if (file.payments.length === 0)
    throw new BankFileError('no_payments', 'a credit transfer file needs a payment');
  const seen = new Set<string>();
  for (const payment of file.payments) {
    if (!isSepaReference(payment.endToEndId)) {
      throw new BankFileError(
        'invalid_end_to_end_id',
        `EndToEndId "${payment.endToEndId}" is not 1-35 SEPA characters`,
      );
    }
    if (seen.has(payment.endToEndId)) {
      throw new BankFileError('duplicate_end_to_end_id', `EndToEndId ${payment.endToEndId} appears twice`);
    }
    seen.add(payment.endToEndId);
    if (payment.amountMinor <= 0n) {
      throw new BankFileError('invalid_amount', `payment ${payment.endToEndId}: the amount must be positive`);
    }
    if (!/^[A-Z]{3}$/.test(payment.currency)) {
      throw new BankFileError(
        'invalid_currency',
        `payment ${payment.endToEndId}: "${payment.currency}" is not ISO 4217`,
      );
    }
    try {
      minorUnitExponent(payment.currency);
    } catch (error) {
      throw new BankFileError('unsupported_currency', (error as Error).message);
    }
  }
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** A name in the SEPA set; one with nothing left after transliteration cannot be sent. */
function partyName(name: string, party: string): string {
  const text = sepaText(name, NAME_MAX);
  if (!text)
    throw new BankFileError('invalid_name', `the ${party}'s name has no character a SEPA bank accepts`);
  return xml(text);
}

function validatedIban(iban: string, party: string): string {
  const check = validateIban(iban);
  if (!check.valid)
    throw new BankFileError('invalid_iban', `the ${party}'s IBAN is invalid (${check.reason})`);
  return check.value;
}

function validatedBic(bic: string, party: string): string {
  const check = validateBic(bic);
  if (!check.valid) throw new BankFileError('invalid_bic', `the ${party}'s BIC is invalid (${check.reason})`);
  return check.value;
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
