/**
 * @agora/marathon — filled in by its own issue. It is built only on @agora/framework-sdk and never
 * imports master or agent code.
 */
export {};
