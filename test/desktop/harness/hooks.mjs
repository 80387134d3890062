// The resolve hook register.mjs installs: the specifier `electron` becomes the stand-in module.
let fake;

export function initialize(data) {
  fake = data.fake;
}

export async function resolve(specifier, context, next) {
  return specifier === 'electron' ? { url: fake, shortCircuit: true } : next(specifier, context);
}
