// `arlo-rtsp import`: takes a certificate enrolled elsewhere (the PoC's Phase 1 output) instead
// of enrolling through the cloud, which would revoke the certificate the other tool holds.

import type { Command } from 'commander';
import { importCertificate } from '../../enroll/import.js';
import { openDataStore } from '../../store/data-store.js';
import { PLAIN_PROTECTION } from '../../store/secret-file.js';
import { formatDate } from '../../../shared/dates.js';

interface ImportOptions {
  basestation: string;
  cert: string;
  key: string;
  ca?: string;
  host?: string;
  dataDir: string;
}

export function register(program: Command): void {
  program
    .command('import')
    .description("import a base station client certificate made elsewhere (e.g. the PoC's peer.crt and private_key.key)")
    .requiredOption('--basestation <deviceId>', "the base station's deviceId")
    .requiredOption('--cert <file>', 'client certificate (peer.crt): PEM or base64 DER')
    .requiredOption('--key <file>', 'its private key (private_key.key): PEM or base64 DER')
    .option('--ca <file>', 'issuing CA certificate (ica.crt)')
    .option('--host <address>', "the base station's LAN address, if mDNS cannot find it")
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<ImportOptions>();
      const store = await openDataStore(options.dataDir);
      const result = await importCertificate(store, {
        baseStationId: options.basestation,
        certFile: options.cert,
        keyFile: options.key,
        ...(options.ca ? { caFile: options.ca } : {}),
        ...(options.host ? { host: options.host } : {}),
      });
      console.log(`imported the certificate for base station ${options.basestation} (expires ${formatDate(result.certificateExpires)}) into ${store.dir}`);
      if (store.secrets.protection === PLAIN_PROTECTION) {
        console.error('warning: the private key is stored unencrypted (file mode 0600); set ARLO_RTSP_PASSPHRASE to encrypt it');
      }
      if (result.orphanedBaseStations.length > 0) {
        console.error(
          `warning: base station(s) ${result.orphanedBaseStations.join(', ')} had certificates for the replaced key; enroll them again`,
        );
      }
    });
}
