/**
 * @agora/security — principals and secrets, Mesos' ACLs and the authorizer that every role's HTTP server
 * and the master's bus handlers consult.
 */
export { type AclAction, type AclEntity, type AclRule, Acls, aclActions } from "./acls.js";
export { Authorization, type AuthorizationOptions, type Denial, forbidden } from "./authorization.js";
export { Authorizer, type Principal } from "./authorizer.js";
export { Credentials, CredentialsFile, parseCredentials } from "./credentials.js";
export { isSecurityError, SecurityError, type SecurityErrorCode, securityErrorCodes } from "./errors.js";
export { loadAuthorizer, loadCredentials, parseAcls } from "./load.js";
