import { decodeForm, FormEncodingError } from './form-encoding.js';

describe('decodeForm', () => {
  it('nests bracketed keys and turns indexed objects into arrays, as the Stripe SDK encodes them', () => {
    const encoded =
      'customer=cus_1&items[0][price]=price_1&items[0][quantity]=2&metadata[account_id]=a%20b&expand[0]=latest_invoice';
    expect(decodeForm(encoded)).toEqual({
      customer: 'cus_1',
      items: [{ price: 'price_1', quantity: '2' }],
      metadata: { account_id: 'a b' },
      expand: ['latest_invoice'],
    });
  });

  it('appends with []', () => {
    expect(decodeForm('lookup_keys[]=a&lookup_keys[]=b')).toEqual({ lookup_keys: ['a', 'b'] });
  });

  it('accepts percent-encoded brackets', () => {
    expect(decodeForm('metadata%5Bk%5D=v')).toEqual({ metadata: { k: 'v' } });
  });

  it('refuses a parameter given twice', () => {
    expect(() => decodeForm('customer=a&customer=b')).toThrow(FormEncodingError);
    expect(() => decodeForm('metadata=a&metadata[k]=b')).toThrow(FormEncodingError);
  });
});
