/**
 * The second entry point of the bundle: the AWS SDK and the lookups that use it. The handler and the CLI load it
 * only for a template that has lookups, so that every other request skips loading and compiling the SDK.
 */
export { createAwsFinder } from './lookup/awsFinder.js';
