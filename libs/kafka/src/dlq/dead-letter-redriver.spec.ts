import { type DeadLetterEntry } from './dead-letter-entry.js';
import { DLQ_HEADERS } from './dead-letter-headers.js';
import { redriveMarker, withoutDlqHeaders } from './dead-letter-redriver.js';

describe('withoutDlqHeaders', () => {
  it('keeps the original headers, trace context included, and drops every oc-dlq-* header', () => {
    const traceparent = Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(
      withoutDlqHeaders({
        traceparent,
        'content-type': 'application/cloudevents+json',
        multi: ['a', 'b'],
        [DLQ_HEADERS.originalTopic]: 'identity.events.v1',
        [DLQ_HEADERS.reason]: 'handler_failed',
        'oc-dlq-something-new': 'x',
      }),
    ).toEqual({ traceparent, 'content-type': 'application/cloudevents+json', multi: ['a', 'b'] });
  });

  it('copes with a message without headers', () => {
    expect(withoutDlqHeaders(undefined)).toEqual({});
  });
});

describe('redriveMarker', () => {
  it('names the letter by <partition>:<offset>, in its own partition, with no key or value', () => {
    const entry = { partition: 2, offset: '17' } as DeadLetterEntry;
    expect(redriveMarker(entry)).toEqual({
      partition: 2,
      key: null,
      value: null,
      headers: { [DLQ_HEADERS.redrivenOffset]: '2:17' },
    });
  });
});
