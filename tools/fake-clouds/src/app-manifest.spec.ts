import { describe, expect, it } from '@jest/globals';
import { APP_MANIFEST_PATH, readAppManifest } from './app-manifest.js';

const manifest = {
  image: 'ghcr.io/org/app',
  version: '1.2.3',
  port: 8080,
  healthPath: '/healthz',
  domain: 'wiki.example.org',
  volumes: [{ name: 'data', device: '/dev/disk/by-id/scsi-0HC_Volume_123', mountPath: '/data' }],
};

const userData = (entry: string) => `#cloud-config\nwrite_files:\n${entry}\nruncmd:\n  - echo hi\n`;

describe('reading the app manifest from user data', () => {
  it('finds it among the written files, as text or base64', () => {
    const json = JSON.stringify(manifest);
    expect(readAppManifest(userData(`  - path: ${APP_MANIFEST_PATH}\n    content: '${json}'`))).toEqual({
      manifest,
    });
    const encoded = Buffer.from(json).toString('base64');
    expect(
      readAppManifest(userData(`  - path: ${APP_MANIFEST_PATH}\n    encoding: b64\n    content: ${encoded}`)),
    ).toEqual({ manifest });
  });

  it('says what is wrong when there is none to run', () => {
    expect(readAppManifest(null)).toEqual({ problem: 'the user data is not #cloud-config' });
    expect(readAppManifest('#!/bin/sh\necho hi')).toEqual({ problem: 'the user data is not #cloud-config' });
    expect(readAppManifest('#cloud-config\nwrite_files: [')).toMatchObject({
      problem: expect.stringMatching(/not YAML/),
    });
    expect(readAppManifest(userData('  - path: /etc/other\n    content: x'))).toMatchObject({
      problem: expect.stringContaining('write_files has no'),
    });
    expect(
      readAppManifest(userData(`  - path: ${APP_MANIFEST_PATH}\n    content: 'not json'`)),
    ).toMatchObject({
      problem: expect.stringContaining('is not JSON'),
    });
    const { port: _port, ...portless } = manifest;
    expect(
      readAppManifest(userData(`  - path: ${APP_MANIFEST_PATH}\n    content: '${JSON.stringify(portless)}'`)),
    ).toMatchObject({ problem: expect.stringContaining('lacks a field') });
  });
});
