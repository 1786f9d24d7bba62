from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from contracts.identity import Role
from services.common.mailer import MailSettings
from services.common.settings import ServiceSettings


class IdentitySettings(MailSettings, ServiceSettings):
    """The identity service's settings; its e-mail ones (SMTP, or a folder of .eml files, as the
    notifier's) are `MailSettings`."""

    model_config = SettingsConfigDict(env_prefix="EISO_IDENTITY_", extra="ignore", frozen=True)

    service_name: str = "identity"
    http_port: int = 8005
    database_url: str = "sqlite+aiosqlite:///.data/identity.db"
    #: An operator key (eiso_<id>_<secret>) made valid at every start and published to every service,
    #: so a fresh install can be used at once and a locked-out operator can get back in.
    bootstrap_operator_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("EISO_BOOTSTRAP_OPERATOR_KEY")
    )
    #: The address people open the sign-in pages at, e.g. https://iso.sokhcn.travinh.gov.vn (links in
    #: e-mails point there); unset, the address the request came to.
    public_url: str | None = None
    #: Hours a sign-in lasts (a working day); signing out, or a password change, ends it sooner.
    sign_in_hours: float = Field(default=8, gt=0, le=24 * 7)
    #: Wrong passwords within `sign_in_failure_window_seconds` that lock an account: the last of
    #: them is refused without the password being checked.
    sign_in_lock_after: int = Field(default=10, ge=2, le=100)
    sign_in_failure_window_seconds: float = Field(default=60, gt=0)
    #: How long a locked account stays locked.
    sign_in_lock_seconds: float = Field(default=900, gt=0)
    #: Each wrong password after the second waits this much longer before its answer (at most 3 s).
    sign_in_delay_step_seconds: float = Field(default=0.5, ge=0)
    #: Days a token signing key signs new tokens before the next one takes over.
    signing_key_days: float = Field(default=30, gt=0)
    #: Hours a one-time link to set a password stays valid.
    password_link_hours: float = Field(default=72, gt=0)
    #: Send the sign-in cookie only over HTTPS (set it behind the province's TLS proxy).
    cookie_secure: bool = False

    # Invitations by e-mail (the SMTP server or folder: `MailSettings`).
    #: The department that invites people and signs the e-mails (their sender's name too).
    department_name: str = Field(default="Sở Khoa học và Công nghệ", min_length=1, max_length=200)
    #: Tries of one e-mail on transient SMTP failures before it is marked failed.
    mail_attempts: int = Field(default=12, ge=1, le=100)
    #: First retry of an e-mail waits up to this (exponential, full jitter)…
    mail_backoff_base_seconds: float = Field(default=2, gt=0)
    #: …and no retry waits longer than this.
    mail_backoff_cap_seconds: float = Field(default=600, gt=0)
    #: How often e-mails due are looked for (a new invitation is sent at once).
    mail_poll_seconds: float = Field(default=1, gt=0)

    #: Single sign-on: the province's OpenID Connect provider (its issuer URL, e.g.
    #: https://sso.travinh.gov.vn/realms/travinh); unset, people sign in with eiso's own accounts only.
    oidc_issuer: str | None = None
    #: The client eiso is registered as with the provider (authorization code flow, PKCE).
    oidc_client_id: str = "eiso"
    oidc_client_secret: SecretStr | None = None
    #: The ID token claim that carries the person's roles at the provider (a string or a list).
    oidc_roles_claim: str = "eiso_roles"
    #: How the provider's roles become eiso's, as JSON: {"provider role": "eiso role"}. A person with
    #: several is given the one that may do most (operator, inspector, trainer, agency, viewer); one
    #: with none mapped is refused.
    oidc_role_map: dict[str, Role] = Field(
        default_factory=lambda: {"operator": Role.OPERATOR, "agency": Role.AGENCY, "viewer": Role.VIEWER}
    )
    #: The ID token claim that carries the agency code (for role agency).
    oidc_agency_claim: str = "agency_code"
