// Every subcommand of `arlo-rtsp`. A command module exports `register(program)`; list it here.

import type { Command } from 'commander';
import { register as basestation } from './basestation.js';
import { register as devices } from './devices.js';
import { register as doctor } from './doctor.js';
import { register as enroll } from './enroll.js';
import { register as login } from './login.js';
import { register as registerImport } from './import.js';
import { register as serve } from './serve.js';
import { register as demo } from './demo.js';
import { register as healthcheck } from './healthcheck.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [login, devices, enroll, basestation, doctor, registerImport, serve, demo, healthcheck];
