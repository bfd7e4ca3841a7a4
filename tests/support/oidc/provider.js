// A real OpenID Connect provider for the sign-in tests: panva's oidc-provider (OpenID
// certified), with its development login form. Everything a test needs comes in as
// environment variables, so nothing here knows the test's ports:
//   OIDC_PORT          the port to listen on, at 127.0.0.1
//   OIDC_REDIRECT_URI  the dashboard's /oauth2callback (also where a sign-out returns)
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
//   OIDC_ACCOUNTS      JSON: login name -> email, e.g. {"viewer": "vic@example.com"}
// It prints "listening <issuer>" once it accepts connections.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    post_logout_redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Only the listed logins exist: the development form accepts any password, not any name.
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: accounts[id], email_verified: true, name: id };
      },
    };
  },
  // Streamlit reads who signed in from the ID token alone, as Google, Entra and Okta fill it;
  // by default this provider would keep the email for its userinfo endpoint.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  // The tests' keys, good for nothing else: the provider lives for one test session.
  cookies: { keys: ['revcycle-test-only-cookie-key'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
