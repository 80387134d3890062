// The resolve hook register.mjs installs: `electron` and `electron-updater` become the stand-in modules.
let fakes;

export function initialize(data) {
  fakes = data.fakes;
}

export async function resolve(specifier, context, next) {
  return Object.hasOwn(fakes, specifier) ? { url: fakes[specifier], shortCircuit: true } : next(specifier, context);
}
