// The "Use in..." configuration of a camera for the NVRs and hubs people pair it with: Frigate
// (record the native stream, or /h264 where the recordings are watched in a browser; detect on
// /sub at its size and rate), go2rtc (every stream by name) and Home Assistant (the Generic Camera
// integration takes the H.264 stream: its player and HomeKit want H.264).

import type { CameraStreamKind, CameraStreamView } from '../shared/streams.js';

export type SnippetTarget = 'frigate' | 'go2rtc' | 'home-assistant';

export const SNIPPET_TARGETS: { target: SnippetTarget; label: string }[] = [
  { target: 'frigate', label: 'Frigate' },
  { target: 'go2rtc', label: 'go2rtc' },
  { target: 'home-assistant', label: 'Home Assistant' },
];

/** A name usable as a YAML key and a go2rtc stream name: lower case letters, digits and underscores. */
export function configName(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'camera';
}

/** The snippet for `target`; `urls` gives each stream's URL (with the password when copying). */
export function snippet(target: SnippetTarget, cameraName: string, streams: CameraStreamView[], urls: Record<CameraStreamKind, string>): string {
  const name = configName(cameraName);
  const sub = streams.find((s) => s.kind === 'sub');
  switch (target) {
    case 'frigate':
      return [
        'cameras:',
        `  ${name}:`,
        '    ffmpeg:',
        '      inputs:',
        `        - path: ${urls.native}  # or ${urls.h264} to watch recordings in a browser`,
        '          input_args: preset-rtsp-generic',
        '          roles: [record]',
        `        - path: ${urls.sub}`,
        '          input_args: preset-rtsp-generic',
        '          roles: [detect]',
        '    detect:',
        ...(sub?.width && sub.height ? [`      width: ${sub.width}`, `      height: ${sub.height}`] : []),
        ...(sub?.fps ? [`      fps: ${sub.fps}`] : []),
      ].join('\n');
    case 'go2rtc':
      return ['streams:', `  ${name}: ${urls.native}`, `  ${name}_h264: ${urls.h264}`, `  ${name}_sub: ${urls.sub}`].join('\n');
    case 'home-assistant':
      return [
        'Settings → Devices & services → Add integration → Generic Camera:',
        `  Stream source URL: ${urls.h264}`,
        '  RTSP transport protocol: TCP',
        '  (Still image URL: leave empty, or use the snapshot URL above)',
      ].join('\n');
  }
}
