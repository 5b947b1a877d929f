/*
 * The GraphiQL page: GraphiQL under a token bar, so that a first query just works.
 *
 * Each request carries, in this order: the Headers pane's own Authorization header; else
 * the token pasted in the bar (kept in this browser's localStorage until "Forget token");
 * else, in development mode only, the log-viewer token the service put in the page.
 * Without any, nothing is sent and the page says how to get a token. A new token makes
 * a new fetcher, and GraphiQL introspects again whenever its fetcher changes, so the
 * schema (docs, completion) loads without a manual refetch.
 */
(function () {
  "use strict";

  const STORAGE_KEY = "auditlog:graphiql:token";
  const API_TOKEN_PREFIX = "alog_";
  const config = JSON.parse(document.getElementById("graphiql-page-config").textContent);
  const endpoint = window.location.href.split(/[?#]/)[0];
  const NO_TOKEN =
    'No token: paste one in the Token field above, or add {"Authorization": "Bearer <token>"} ' +
    "in the Headers pane. On the service's machine, " +
    "`auditlog token --account ACCOUNT --sub YOU --role log_viewer` prints one.";
  const NO_TOKEN_RESULT = {
    data: null,
    errors: [{ message: NO_TOKEN, extensions: { code: "UNAUTHENTICATED" } }],
  };

  const form = document.getElementById("token-bar");
  const input = document.getElementById("token-input");
  const forgetButton = document.getElementById("token-forget");
  const status = document.getElementById("token-status");

  // --- Tokens: the pasted one (remembered) or the development one. ---

  function claimsOf(token) {
    const payload = token.split(".")[1];
    if (!payload) {
      return null;
    }
    try {
      const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
      const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === "object" ? claims : null;
    } catch (error) {
      return null;
    }
  }

  function expiryOf(token) {
    const claims = claimsOf(token);
    return claims && typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null;
  }

  function isExpired(token) {
    const expiry = expiryOf(token);
    return expiry !== null && expiry.getTime() <= Date.now();
  }

  function when(date) {
    return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  /** Who the token names, as its (unverified) claims say; the service decides. */
  function describe(token) {
    if (token.startsWith(API_TOKEN_PREFIX)) {
      return "an API token";
    }
    const claims = claimsOf(token);
    if (!claims) {
      return "a token that is not a JWT";
    }
    const who = claims.name || claims.sub || "an unnamed subject";
    const roles =
      Array.isArray(claims.roles) && claims.roles.length
        ? claims.roles.join(", ")
        : "roles granted in the account";
    const account = claims.account_id ? ` in account ${claims.account_id}` : "";
    const expiry = expiryOf(token);
    const until = expiry ? `, valid until ${when(expiry)}` : "";
    return `${who} (${roles}${account}${until})`;
  }

  function readRemembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      return null; // storage is blocked: the token lasts as long as the page
    }
  }

  function writeRemembered(token) {
    try {
      if (token) {
        window.localStorage.setItem(STORAGE_KEY, token);
      } else {
        window.localStorage.removeItem(STORAGE_KEY);
      }
    } catch (error) {
      // Storage is blocked: the token still works until the page is closed.
    }
  }

  const tokens = {
    pasted: readRemembered(),
    expiredNote: "",
    listeners: new Set(),

    current() {
      return this.pasted || config.developmentToken || null;
    },

    source() {
      if (this.pasted) {
        return "remembered";
      }
      return config.developmentToken ? "development" : null;
    },

    set(token) {
      this.pasted = token;
      this.expiredNote = "";
      writeRemembered(token);
      this.listeners.forEach((listener) => listener());
    },

    subscribe(listener) {
      tokens.listeners.add(listener);
      return () => tokens.listeners.delete(listener);
    },

    snapshot() {
      return tokens.current();
    },
  };

  if (tokens.pasted && isExpired(tokens.pasted)) {
    const expiry = expiryOf(tokens.pasted);
    tokens.set(null);
    tokens.expiredNote = `The remembered token expired on ${when(expiry)} and was forgotten. `;
  }

  /** The token in what someone pasted: a token, "Bearer <token>" or the Headers JSON. */
  function tokenIn(text) {
    let value = text.trim();
    if (value.startsWith("{")) {
      try {
        value = String(authorizationOf(JSON.parse(value)) || "");
      } catch (error) {
        return "";
      }
    }
    return value
      .replace(/^bearer\s+/i, "")
      .replace(/^["']|["']$/g, "")
      .trim();
  }

  // --- The status line above GraphiQL. ---

  let paneAuthorization = null;

  function show(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function showCurrent() {
    forgetButton.disabled = !tokens.pasted;
    input.placeholder = tokens.current()
      ? "Paste another token to use it instead"
      : "Paste a JWT or an API token (alog_…)";
    const token = tokens.current();
    if (paneAuthorization) {
      show("ok", "Using the Authorization header in the Headers pane (it overrides the Token field).");
    } else if (!token) {
      show("missing", tokens.expiredNote + NO_TOKEN);
    } else if (tokens.source() === "development") {
      show("ok", `Development mode: using the printed log-viewer token, ${describe(token)}.`);
    } else {
      show("ok", `Using the token of ${describe(token)}, remembered in this browser.`);
    }
  }

  function authorizationOf(headers) {
    if (!headers || typeof headers !== "object") {
      return null;
    }
    const name = Object.keys(headers).find((key) => key.toLowerCase() === "authorization");
    return name && headers[name] ? String(headers[name]) : null;
  }

  function firstErrorOf(result) {
    const errors = result && Array.isArray(result.errors) ? result.errors : [];
    return errors[0] || null;
  }

  // --- The fetcher: adds the token, or answers itself when there is none. ---

  let generation = 0;

  function makeFetcher(token) {
    const mine = ++generation;
    const send = GraphiQL.createFetcher({ url: endpoint });

    function report(result) {
      if (mine !== generation) {
        return; // an answer for a token that is no longer in use
      }
      const error = firstErrorOf(result);
      if (error && error.extensions && error.extensions.code === "UNAUTHENTICATED") {
        const fix = paneAuthorization
          ? "Correct the Authorization header in the Headers pane."
          : "Paste another token above.";
        show("refused", `The service refused the token: ${error.message} ${fix}`);
      } else {
        showCurrent();
      }
    }

    return function fetcher(params, options) {
      const headers = Object.assign({}, options && options.headers);
      paneAuthorization = authorizationOf(headers);
      if (!paneAuthorization) {
        if (!token) {
          showCurrent();
          return Promise.resolve(NO_TOKEN_RESULT);
        }
        headers.Authorization = `Bearer ${token}`;
      }
      const answer = send(params, Object.assign({}, options, { headers }));
      if (answer && typeof answer.then === "function") {
        return answer.then((result) => {
          report(result);
          return result;
        });
      }
      return answer;
    };
  }

  // --- The token bar's controls. ---

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = tokenIn(input.value);
    if (!token) {
      show("missing", "Paste a token into the field first, then press Use token.");
      input.focus();
      return;
    }
    input.value = "";
    tokens.set(token);
    showCurrent();
  });

  forgetButton.addEventListener("click", () => {
    tokens.set(null);
    showCurrent();
    input.focus();
  });

  // --- GraphiQL. ---

  const h = React.createElement;
  const explorer = GraphiQLPluginExplorer.explorerPlugin();

  function useDebounced(value, delay) {
    const [settled, setSettled] = React.useState(value);
    React.useEffect(() => {
      const timer = window.setTimeout(() => setSettled(value), delay);
      return () => window.clearTimeout(timer);
    }, [value, delay]);
    return settled;
  }

  /** The Authorization header in the Headers pane's text; undefined while it is not JSON. */
  function headersAuthorization(text) {
    try {
      return authorizationOf(JSON.parse(text || "{}"));
    } catch (error) {
      return undefined;
    }
  }

  function Page() {
    const token = React.useSyncExternalStore(tokens.subscribe, tokens.snapshot);
    const [paneHeader, setPaneHeader] = React.useState(null);
    const onEditHeaders = React.useCallback((text) => {
      const header = headersAuthorization(text);
      if (header !== undefined) {
        setPaneHeader(header); // half-typed JSON keeps the last one
      }
    }, []);
    // One introspection per settled edit of the pane's Authorization header, not per key.
    const paneToken = useDebounced(paneHeader, 400);
    // A new fetcher for a new token, or a new header in the pane: GraphiQL then introspects.
    const fetcher = React.useMemo(() => makeFetcher(token), [token, paneToken]);
    // A string clears the result pane once (GraphiQL copies a changed `response` prop into
    // it); undefined right after, so that the next token can clear it again.
    const [response, setResponse] = React.useState(undefined);
    const first = React.useRef(true);

    React.useEffect(() => {
      if (first.current) {
        first.current = false;
      } else if (token) {
        setResponse(""); // it may still show the no-token answer; the status line says more
      }
    }, [token]);
    React.useEffect(() => {
      if (response !== undefined) {
        setResponse(undefined);
      }
    }, [response]);

    return h(GraphiQL, {
      fetcher,
      defaultQuery: config.exampleQuery,
      response,
      onEditHeaders,
      plugins: [explorer],
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    });
  }

  showCurrent();
  if (!tokens.current()) {
    input.focus();
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(h(Page));
})();
