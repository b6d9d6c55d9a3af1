import {
  BankFileError,
  type CreditTransferFile,
  endToEndIdOf,
  PAIN_001_NAMESPACE,
  renderPain001,
} from './bank-file.js';

interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (value: string) =>
  value.replace(/&(\w+);/g, (entity, name: string) => {
    const char = ENTITIES[name];
    if (char === undefined) throw new Error(`unknown entity ${entity}`);
    return char;
  });

/** A strict reader for the XML this module writes: well-formed elements, attributes and text, no mixed content. */
function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const token = /<(\/?)([A-Za-z][\w:]*)((?:\s+[\w:]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g;
  let consumed = 0;
  for (const match of body.matchAll(token)) {
    if (match.index !== consumed) throw new Error(`unexpected markup at ${consumed}`);
    consumed += match[0].length;
    const [, closing, name, attributes, selfClosing, text] = match;
    if (text !== undefined) {
      if (text.includes('>')) throw new Error('a raw > in text');
      if (stack.length === 0) {
        if (text.trim() !== '') throw new Error('text outside the root');
        continue;
      }
      stack.at(-1)!.text += unescape(text);
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const element: XmlElement = {
      name: name!,
      attributes: Object.fromEntries(
        [...(attributes ?? '').matchAll(/([\w:]+)="([^"]*)"/g)].map(([, key, value]) => [
          key!,
          unescape(value!),
        ]),
      ),
      children: [],
      text: '',
    };
    if (stack.length > 0) stack.at(-1)!.children.push(element);
    else if (root) throw new Error('two roots');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (consumed !== body.length || stack.length > 0 || !root) throw new Error('not well-formed');
  return root;
}

const child = (element: XmlElement, ...path: string[]): XmlElement =>
  path.reduce((node, name) => {
    const found = node.children.filter((candidate) => candidate.name === name);
    if (found.length !== 1)
      throw new Error(`expected one <${name}> in <${node.name}>, found ${found.length}`);
    return found[0]!;
  }, element);
const childrenNamed = (element: XmlElement, name: string) =>
  element.children.filter((candidate) => candidate.name === name);
const textOf = (element: XmlElement, ...path: string[]) => child(element, ...path).text;

const file = (payments: CreditTransferFile['payments']): CreditTransferFile => ({
  messageId: 'OC-PAYOUTS-2026-11-1',
  createdAt: new Date('2026-12-01T09:30:15.123Z'),
  initiatingParty: 'OneCommons',
  debtor: { name: 'OneCommons e.V.', iban: 'DE89 3704 0044 0532 0130 00', bic: 'cobadeffxxx' },
  requestedExecutionDate: '2026-12-02',
  payments,
});

const payment = (endToEndId: string, amountMinor: bigint, currency = 'EUR') => ({
  endToEndId,
  amountMinor,
  currency,
  creditor: { name: 'Payee', iban: 'NL91ABNA0417164300' },
  remittance: `OneCommons payout ${endToEndId}`,
});

describe('renderPain001', () => {
  it('writes a pain.001.001.09 document with header, one PmtInf per currency and the transactions', () => {
    const xml = renderPain001(
      file([
        {
          endToEndId: endToEndIdOf('6f1c2c9e-0b2a-4d7e-9c3f-5a1b2c3d4e5f'),
          amountMinor: 12_345n,
          currency: 'EUR',
          creditor: { name: 'Zoë Müller', iban: 'FR14 2004 1010 0505 0001 3M02 606', bic: 'BNPAFRPP' },
          remittance: 'OneCommons payout 2026-11',
        },
        payment('E2E-2', 5n),
        payment('E2E-3', 1_000n, 'CHF'),
      ]),
    );
    const document = parseXml(xml);
    expect(document.name).toBe('Document');
    expect(document.attributes['xmlns']).toBe(PAIN_001_NAMESPACE);
    expect(PAIN_001_NAMESPACE).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.09');
    const initiation = child(document, 'CstmrCdtTrfInitn');
    expect(initiation.children.map((element) => element.name)).toEqual(['GrpHdr', 'PmtInf', 'PmtInf']);
    const header = child(initiation, 'GrpHdr');
    expect(header.children.map((element) => element.name)).toEqual([
      'MsgId',
      'CreDtTm',
      'NbOfTxs',
      'CtrlSum',
      'InitgPty',
    ]);
    expect(textOf(header, 'MsgId')).toBe('OC-PAYOUTS-2026-11-1');
    expect(textOf(header, 'CreDtTm')).toBe('2026-12-01T09:30:15Z');
    expect(textOf(header, 'NbOfTxs')).toBe('3');
    expect(textOf(header, 'CtrlSum')).toBe('133.50');

    const [chf, eur] = childrenNamed(initiation, 'PmtInf');
    expect(eur!.children.map((element) => element.name)).toEqual([
      'PmtInfId',
      'PmtMtd',
      'BtchBookg',
      'NbOfTxs',
      'CtrlSum',
      'PmtTpInf',
      'ReqdExctnDt',
      'Dbtr',
      'DbtrAcct',
      'DbtrAgt',
      'ChrgBr',
      'CdtTrfTxInf',
      'CdtTrfTxInf',
    ]);
    expect(textOf(eur!, 'PmtInfId')).toBe('OC-PAYOUTS-2026-11-1-EUR');
    expect(textOf(eur!, 'PmtMtd')).toBe('TRF');
    expect(textOf(eur!, 'NbOfTxs')).toBe('2');
    expect(textOf(eur!, 'CtrlSum')).toBe('123.50');
    expect(textOf(eur!, 'PmtTpInf', 'SvcLvl', 'Cd')).toBe('SEPA');
    expect(textOf(eur!, 'ReqdExctnDt', 'Dt')).toBe('2026-12-02');
    expect(textOf(eur!, 'DbtrAcct', 'Id', 'IBAN')).toBe('DE89370400440532013000');
    expect(textOf(eur!, 'DbtrAgt', 'FinInstnId', 'BICFI')).toBe('COBADEFFXXX');
    expect(textOf(eur!, 'ChrgBr')).toBe('SLEV');
    const [first, second] = childrenNamed(eur!, 'CdtTrfTxInf');
    expect(first!.children.map((element) => element.name)).toEqual([
      'PmtId',
      'Amt',
      'CdtrAgt',
      'Cdtr',
      'CdtrAcct',
      'RmtInf',
    ]);
    expect(textOf(first!, 'PmtId', 'EndToEndId')).toBe('6f1c2c9e0b2a4d7e9c3f5a1b2c3d4e5f');
    expect(child(first!, 'Amt', 'InstdAmt')).toMatchObject({ attributes: { Ccy: 'EUR' }, text: '123.45' });
    expect(textOf(first!, 'Cdtr', 'Nm')).toBe('Zoe Muller');
    expect(textOf(first!, 'CdtrAcct', 'Id', 'IBAN')).toBe('FR1420041010050500013M02606');
    expect(textOf(first!, 'CdtrAgt', 'FinInstnId', 'BICFI')).toBe('BNPAFRPP');
    expect(textOf(first!, 'RmtInf', 'Ustrd')).toBe('OneCommons payout 2026-11');
    expect(second!.children.map((element) => element.name)).not.toContain('CdtrAgt');
    expect(textOf(second!, 'Amt', 'InstdAmt')).toBe('0.05');

    expect(textOf(chf!, 'CtrlSum')).toBe('10.00');
    expect(chf!.children.map((element) => element.name)).not.toContain('PmtTpInf');
    expect(textOf(chf!, 'ChrgBr')).toBe('SHAR');
  });

  it('sums exactly from integer minor units, across currencies with 0, 2 and 3 decimals', () => {
    // 0.1 + 0.2 in floating point is 0.30000000000000004; a million cents one by one drift further.
    const many = Array.from({ length: 1_000 }, (_, index) =>
      payment(`C-${index}`, 10n + BigInt(index % 3) * 10n),
    );
    const header = child(parseXml(renderPain001(file(many))), 'CstmrCdtTrfInitn', 'GrpHdr');
    expect(textOf(header, 'CtrlSum')).toBe('199.90');

    const mixed = renderPain001(
      file([payment('Y-1', 1_500n, 'JPY'), payment('K-1', 1_234n, 'KWD'), payment('E-1', 99n, 'EUR')]),
    );
    const initiation = child(parseXml(mixed), 'CstmrCdtTrfInitn');
    // 1500 + 1.234 + 0.99, at the largest exponent (3).
    expect(textOf(initiation, 'GrpHdr', 'CtrlSum')).toBe('1502.224');
    const sums = Object.fromEntries(
      childrenNamed(initiation, 'PmtInf').map((info) => [
        textOf(info, 'PmtInfId').slice(-3),
        textOf(info, 'CtrlSum'),
      ]),
    );
    expect(sums).toEqual({ EUR: '0.99', JPY: '1500', KWD: '1.234' });
    expect(mixed).toContain('<InstdAmt Ccy="KWD">1.234</InstdAmt>');
    expect(mixed).toContain('<InstdAmt Ccy="JPY">1500</InstdAmt>');

    const huge = renderPain001(file([payment('H-1', 9_007_199_254_740_993n), payment('H-2', 1n)]));
    expect(textOf(parseXml(huge), 'CstmrCdtTrfInitn', 'GrpHdr', 'CtrlSum')).toBe('90071992547409.94');
  });

  it('escapes XML and keeps names and remittance in the SEPA set and within their lengths', () => {
    const xml = renderPain001(
      file([
        {
          endToEndId: 'E2E-1',
          amountMinor: 100n,
          currency: 'EUR',
          creditor: { name: `O'Brien & Søns <Ltd> ${'x'.repeat(100)}`, iban: 'NL91ABNA0417164300' },
          remittance: `Payout "11/2026" for <b>Zoë</b> & co ${'y'.repeat(200)}`,
        },
      ]),
    );
    expect(xml).toContain('<Nm>O&apos;Brien + Sons Ltd xxxx');
    expect(xml).not.toMatch(/<b>|&amp;|Zoë/);
    const transaction = child(parseXml(xml), 'CstmrCdtTrfInitn', 'PmtInf', 'CdtTrfTxInf');
    expect(textOf(transaction, 'Cdtr', 'Nm')).toHaveLength(70);
    const remittance = textOf(transaction, 'RmtInf', 'Ustrd');
    expect(remittance).toHaveLength(140);
    expect(remittance.startsWith("Payout '11/2026' for b Zoe /b + co yyy")).toBe(true);
    expect(remittance).toMatch(/^[A-Za-z0-9/\-?:().,'+ ]+$/);
  });

  it('renders the same input to the same bytes', () => {
    const input = file([payment('A-1', 1n), payment('B-1', 2n, 'SEK'), payment('C-1', 3n)]);
    expect(renderPain001(input)).toBe(renderPain001(input));
  });

  it.each<[string, (base: CreditTransferFile) => CreditTransferFile]>([
    [
      'invalid_iban',
      (base) => ({
        ...base,
        payments: [{ ...payment('A', 1n), creditor: { name: 'P', iban: 'DE89370400440532013001' } }],
      }),
    ],
    ['invalid_iban', (base) => ({ ...base, debtor: { ...base.debtor, iban: 'US64SVBKUS6S3300958879' } })],
    ['invalid_bic', (base) => ({ ...base, debtor: { ...base.debtor, bic: 'NOPE' } })],
    [
      'invalid_end_to_end_id',
      (base) => ({ ...base, payments: [payment('6f1c2c9e-0b2a-4d7e-9c3f-5a1b2c3d4e5f', 1n)] }),
    ],
    ['duplicate_end_to_end_id', (base) => ({ ...base, payments: [payment('A', 1n), payment('A', 2n)] })],
    ['invalid_amount', (base) => ({ ...base, payments: [payment('A', 0n)] })],
    ['unsupported_currency', (base) => ({ ...base, payments: [payment('A', 1n, 'XAU')] })],
    ['invalid_execution_date', (base) => ({ ...base, requestedExecutionDate: '2026-02-30' })],
    ['invalid_message_id', (base) => ({ ...base, messageId: 'x'.repeat(36) })],
    [
      'invalid_name',
      (base) => ({
        ...base,
        payments: [{ ...payment('A', 1n), creditor: { name: '東京', iban: 'NL91ABNA0417164300' } }],
      }),
    ],
    ['no_payments', (base) => ({ ...base, payments: [] })],
  ])('refuses a file with %s', (code, change) => {
    const render = () => renderPain001(change(file([payment('OK-1', 1n)])));
    expect(render).toThrow(BankFileError);
    expect(render).toThrow(expect.objectContaining({ code }) as Error);
  });
});
