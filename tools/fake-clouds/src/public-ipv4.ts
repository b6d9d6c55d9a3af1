/** 100.64.0.0, the start of the shared address space (RFC 6598): never a real public address. */
const FIRST_ADDRESS = 100 * 2 ** 24 + 64 * 2 ** 16;
const ADDRESSES = 2 ** 22;

// One counter for the whole process: two fakes in one test never hand out the same address, so an address
// in DNS names exactly one server.
let issued = 0;

/** The next unused public IPv4 address (skipping .0 and .255, which no host gets). */
export function nextPublicIpv4(): string {
  for (;;) {
    issued++;
    if (issued >= ADDRESSES) throw new Error('fake clouds: the 100.64.0.0/10 address pool is exhausted');
    const address = FIRST_ADDRESS + issued;
    const lastOctet = address % 256;
    if (lastOctet !== 0 && lastOctet !== 255) return dotted(address);
  }
}

function dotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}
