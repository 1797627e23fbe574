/**
 * @agora/security — principals and secrets, Mesos' ACLs and the authorizer that every role's HTTP server
 * and the master's bus handlers consult, and the HTTP authentication, TLS and CORS every role's server installs.
 */
export { type AclAction, type AclEntity, type AclRule, Acls, aclActions } from "./acls.js";
export {
  Authorization,
  type AuthorizationOptions,
  countedAuthorization,
  type Denial,
  type DenialLogger,
  forbidden,
  loggedAuthorization,
} from "./authorization.js";
export { Authorizer, type Principal } from "./authorizer.js";
export { installCors } from "./cors.js";
export { Credentials, CredentialsFile, parseCredentials } from "./credentials.js";
export { isSecurityError, SecurityError, type SecurityErrorCode, securityErrorCodes } from "./errors.js";
export { type HttpAccess, httpAccess, isEventStream, operatorCallAccess } from "./http-access.js";
export {
  challenge,
  HTTP_REALM,
  type HttpAuthenticationOptions,
  type HttpAuthStyle,
  installHttpAuthentication,
  LoginBody,
} from "./http-auth.js";
export {
  type HttpSecurity,
  type HttpSecurityFlags,
  httpScheme,
  installHttpSecurity,
  loadHttpSecurity,
  OPEN_HTTP,
  upstreamTls,
  withTls,
} from "./http-security.js";
export { loadAuthorizer, loadCredentials, parseAcls } from "./load.js";
export { installLoginRoutes, type LoginRoutesOptions } from "./login-routes.js";
export {
  DEFAULT_SESSION_TTL_MS,
  type Session,
  SessionTokens,
  type SessionTokensOptions,
} from "./sessions.js";
export { installStandbyProxy, type StandbyProxyOptions } from "./standby-proxy.js";
