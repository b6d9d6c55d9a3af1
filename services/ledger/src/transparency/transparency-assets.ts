import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A script the transparency pages load: compiled JavaScript, served as it is. */
export interface TransparencyAsset {
  readonly body: string;
  readonly contentType: 'text/javascript; charset=utf-8';
}

const require = createRequire(import.meta.url);

/**
 * The compiled files behind `/transparency/assets/…` (the build writes them: `tsc -b`), by the name the pages
 * load them as: the page script, and @onecommons/allocation's WebCrypto verifier that it imports by a relative
 * address. Read once at boot, so a missing build stops the ledger there, not a visitor's page later.
 */
const ASSET_FILES: Readonly<Record<string, string>> = {
  'verify.js': '@onecommons/ledger/dist/src/transparency/assets/verify-page.js',
  'merkle-webcrypto.js': '@onecommons/allocation/dist/src/merkle-webcrypto.js',
};

export function loadTransparencyAssets(): ReadonlyMap<string, TransparencyAsset> {
  return new Map(
    Object.entries(ASSET_FILES).map(([name, specifier]) => {
      const file = require.resolve(specifier);
      // The source map is not served; its comment would only make a browser's tools ask for it.
      const body = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
      // A browser resolves no package name: a served script may import nothing but type-only modules.
      if (/^\s*(import|export)\s[^;]*\sfrom\s+['"][^./]/m.test(body))
        throw new Error(`${file} imports a package; the transparency page cannot load it in a browser`);
      return [name, { body, contentType: 'text/javascript; charset=utf-8' }] as const;
    }),
  );
}
