import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, signatureHeader } from './signing-secrets.js';

describe('signatureHeader', () => {
  it('writes the example signature of the Standard Webhooks specification', () => {
    expect(
      signatureHeader(
        ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs with every secret of a rotation, so a receiver holding either one verifies', () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'payout.paid', data: { payee: 'Zoë' } });
    const headers = {
      'webhook-id': 'delivery-1',
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': signatureHeader([current, previous], 'delivery-1', timestampSeconds, body),
    };

    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow();
  });
});

describe('generateSigningSecret', () => {
  it('is whsec_ and the base64 of 32 random bytes', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(secret);
  });
});
