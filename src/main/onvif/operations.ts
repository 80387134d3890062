// The ONVIF operations a device answers, as answers built from what is known of its camera. Element
// order follows the ONVIF schema's sequences: strict clients (Home Assistant's zeep) read by it.
// Two media profiles: `main` (H.264 at the camera's size) and `sub` (the low-resolution H.264
// stream), both from the one video source that is the camera.

import { actionNotSupported, child, text, type Fault, type XmlNode, type XmlTree } from './soap.js';

export interface StreamDescription {
  /** Path of the RTSP URL on the camera's port (`/CAM1`, `/CAM1/sub`). */
  path: string;
  width: number;
  height: number;
  fps: number;
  /** Kbit/s, what the encoder configuration announces as its limit. */
  bitrateKbps: number;
  /** Frames between keyframes. */
  govLength: number;
}

/** One camera as an ONVIF device. */
export interface DeviceDescription {
  /** `urn:uuid:...`, the same at every start (discovery and recorders know the device by it). */
  endpoint: string;
  name: string;
  model: string;
  firmware: string;
  serialNumber: string;
  /** `aa:bb:cc:dd:ee:ff`: the device's own (recorders tell devices on one host apart by it). */
  hardwareAddress: string;
  rtspPort: number;
  main: StreamDescription;
  sub: StreamDescription;
}

/** Where a request reached the device: the address it answers with in every URL it gives. */
export interface RequestPlace {
  /** The device's own address as the client reached it (`192.168.1.5`, `[fe80::1]`). */
  host: string;
  httpPort: number;
  prefixLength: number;
}

export const DEVICE_PATH = '/onvif/device_service';
export const MEDIA_PATH = '/onvif/media_service';
export const SNAPSHOT_PATH = '/onvif/snapshot.jpg';
export const PROFILE_TOKENS = ['main', 'sub'] as const;
type ProfileToken = (typeof PROFILE_TOKENS)[number];
const VIDEO_SOURCE = 'camera';

export type Answer = { body: XmlTree } | { fault: Fault };

/** The operations that need no credentials (ONVIF Core §5.9.4.3 allows these before authentication). */
export const PRE_AUTH_OPERATIONS = new Set(['GetSystemDateAndTime']);

export function deviceOperation(operation: string, request: XmlNode, device: DeviceDescription, place: RequestPlace, now = new Date()): Answer {
  switch (operation) {
    case 'GetSystemDateAndTime':
      return answer('tds:GetSystemDateAndTimeResponse', { 'tds:SystemDateAndTime': systemDateAndTime(now) });
    case 'GetDeviceInformation':
      return answer('tds:GetDeviceInformationResponse', {
        'tds:Manufacturer': 'Arlo',
        'tds:Model': device.model,
        'tds:FirmwareVersion': device.firmware,
        'tds:SerialNumber': device.serialNumber,
        'tds:HardwareId': device.model,
      });
    case 'GetCapabilities': {
      const category = text(child(request, 'Category')) ?? 'All';
      if (!['All', 'Device', 'Media'].includes(category)) {
        return { fault: { code: 'env:Receiver', subcodes: ['ter:ActionNotSupported', 'ter:NoSuchService'], reason: `This device has no ${category} service.` } };
      }
      return answer('tds:GetCapabilitiesResponse', { 'tds:Capabilities': capabilities(place, category) });
    }
    case 'GetServices':
      return answer('tds:GetServicesResponse', {
        'tds:Service': [
          service('http://www.onvif.org/ver10/device/wsdl', url(place, DEVICE_PATH)),
          service('http://www.onvif.org/ver10/media/wsdl', url(place, MEDIA_PATH)),
        ],
      });
    case 'GetNetworkInterfaces':
      return answer('tds:GetNetworkInterfacesResponse', {
        'tds:NetworkInterfaces': {
          '@_token': 'eth0',
          'tt:Enabled': true,
          'tt:Info': { 'tt:Name': 'eth0', 'tt:HwAddress': device.hardwareAddress, 'tt:MTU': 1500 },
          'tt:IPv4': {
            'tt:Enabled': true,
            'tt:Config': {
              'tt:Manual': { 'tt:Address': place.host.replace(/^\[|\]$/g, ''), 'tt:PrefixLength': place.prefixLength },
              'tt:DHCP': false,
            },
          },
        },
      });
    case 'GetScopes':
      return answer('tds:GetScopesResponse', {
        'tds:Scopes': scopesOf(device).map((scope) => ({ 'tt:ScopeDef': 'Fixed', 'tt:ScopeItem': scope })),
      });
    default:
      return { fault: actionNotSupported(operation) };
  }
}

export function mediaOperation(operation: string, request: XmlNode, device: DeviceDescription, place: RequestPlace): Answer {
  switch (operation) {
    case 'GetProfiles':
      return answer('trt:GetProfilesResponse', { 'trt:Profiles': PROFILE_TOKENS.map((token) => profile(device, token)) });
    case 'GetProfile':
      return withProfile(request, (token) => answer('trt:GetProfileResponse', { 'trt:Profile': profile(device, token) }));
    case 'GetVideoSources':
      return answer('trt:GetVideoSourcesResponse', {
        'trt:VideoSources': {
          '@_token': VIDEO_SOURCE,
          'tt:Framerate': device.main.fps,
          'tt:Resolution': { 'tt:Width': device.main.width, 'tt:Height': device.main.height },
        },
      });
    case 'GetStreamUri':
      return withProfile(request, (token) => answer('trt:GetStreamUriResponse', {
        'trt:MediaUri': mediaUri(`rtsp://${place.host}:${device.rtspPort}${device[token].path}`),
      }));
    case 'GetSnapshotUri':
      return withProfile(request, () => answer('trt:GetSnapshotUriResponse', { 'trt:MediaUri': mediaUri(url(place, SNAPSHOT_PATH)) }));
    default:
      return { fault: actionNotSupported(operation) };
  }
}

/** The scopes the device announces in discovery and answers to GetScopes. */
export function scopesOf(device: DeviceDescription): string[] {
  return [
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/type/Network_Video_Transmitter',
    'onvif://www.onvif.org/Profile/Streaming',
    'onvif://www.onvif.org/Profile/S',
    `onvif://www.onvif.org/name/${encodeURIComponent(device.name)}`,
    `onvif://www.onvif.org/hardware/${encodeURIComponent(device.model)}`,
    'onvif://www.onvif.org/location/',
  ];
}

export function url(place: RequestPlace, path: string): string {
  return `http://${place.host}:${place.httpPort}${path}`;
}

function answer(name: string, content: XmlTree): Answer {
  return { body: { [name]: content } };
}

function withProfile(request: XmlNode, build: (token: ProfileToken) => Answer): Answer {
  const token = text(child(request, 'ProfileToken'));
  if (!PROFILE_TOKENS.includes(token as ProfileToken)) {
    return { fault: { code: 'env:Sender', subcodes: ['ter:InvalidArgVal', 'ter:NoProfile'], reason: `No media profile "${token ?? ''}": this device has "main" and "sub".` } };
  }
  return build(token as ProfileToken);
}

function profile(device: DeviceDescription, token: ProfileToken): XmlTree {
  const stream = device[token];
  return {
    '@_token': token,
    '@_fixed': true,
    'tt:Name': token,
    'tt:VideoSourceConfiguration': {
      '@_token': VIDEO_SOURCE,
      'tt:Name': VIDEO_SOURCE,
      'tt:UseCount': PROFILE_TOKENS.length,
      'tt:SourceToken': VIDEO_SOURCE,
      'tt:Bounds': { '@_x': 0, '@_y': 0, '@_width': device.main.width, '@_height': device.main.height },
    },
    'tt:VideoEncoderConfiguration': {
      '@_token': `${token}-h264`,
      'tt:Name': `${token}-h264`,
      'tt:UseCount': 1,
      'tt:Encoding': 'H264',
      'tt:Resolution': { 'tt:Width': stream.width, 'tt:Height': stream.height },
      'tt:Quality': 5,
      'tt:RateControl': { 'tt:FrameRateLimit': stream.fps, 'tt:EncodingInterval': 1, 'tt:BitrateLimit': stream.bitrateKbps },
      'tt:H264': { 'tt:GovLength': stream.govLength, 'tt:H264Profile': 'Main' },
      // Required by the schema; this device streams unicast only.
      'tt:Multicast': { 'tt:Address': { 'tt:Type': 'IPv4', 'tt:IPv4Address': '0.0.0.0' }, 'tt:Port': 0, 'tt:TTL': 0, 'tt:AutoStart': false },
      'tt:SessionTimeout': 'PT60S',
    },
  };
}

function mediaUri(uri: string): XmlTree {
  return { 'tt:Uri': uri, 'tt:InvalidAfterConnect': false, 'tt:InvalidAfterReboot': false, 'tt:Timeout': 'PT0S' };
}

function service(namespace: string, xaddr: string): XmlTree {
  return { 'tds:Namespace': namespace, 'tds:XAddr': xaddr, 'tds:Version': { 'tt:Major': 2, 'tt:Minor': 5 } };
}

function capabilities(place: RequestPlace, category: string): XmlTree {
  const device: XmlTree = {
    'tt:XAddr': url(place, DEVICE_PATH),
    'tt:Network': { 'tt:IPFilter': false, 'tt:ZeroConfiguration': false, 'tt:IPVersion6': false, 'tt:DynDNS': false },
    'tt:System': {
      'tt:DiscoveryResolve': false,
      'tt:DiscoveryBye': true,
      'tt:RemoteDiscovery': false,
      'tt:SystemBackup': false,
      'tt:SystemLogging': false,
      'tt:FirmwareUpgrade': false,
      'tt:SupportedVersions': { 'tt:Major': 2, 'tt:Minor': 5 },
    },
    'tt:Security': {
      'tt:TLS1.1': false,
      'tt:TLS1.2': false,
      'tt:OnboardKeyGeneration': false,
      'tt:AccessPolicyConfig': false,
      'tt:X.509Token': false,
      'tt:SAMLToken': false,
      'tt:KerberosToken': false,
      'tt:RELToken': false,
    },
  };
  const media: XmlTree = {
    'tt:XAddr': url(place, MEDIA_PATH),
    'tt:StreamingCapabilities': { 'tt:RTPMulticast': false, 'tt:RTP_TCP': true, 'tt:RTP_RTSP_TCP': true },
  };
  return {
    ...(category !== 'Media' ? { 'tt:Device': device } : {}),
    ...(category !== 'Device' ? { 'tt:Media': media } : {}),
  };
}

function systemDateAndTime(now: Date): XmlTree {
  return {
    'tt:DateTimeType': 'NTP',
    'tt:DaylightSavings': false,
    'tt:TimeZone': { 'tt:TZ': 'UTC0' },
    'tt:UTCDateTime': {
      'tt:Time': { 'tt:Hour': now.getUTCHours(), 'tt:Minute': now.getUTCMinutes(), 'tt:Second': now.getUTCSeconds() },
      'tt:Date': { 'tt:Year': now.getUTCFullYear(), 'tt:Month': now.getUTCMonth() + 1, 'tt:Day': now.getUTCDate() },
    },
  };
}
