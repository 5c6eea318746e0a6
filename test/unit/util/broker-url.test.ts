import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_PORTS,
  maskUrlText,
  parseBrokerUrlText,
  schemeOf,
  unquote,
  type BrokerUrl,
  type BrokerUrlProblem,
  type BrokerUrlRules,
} from '../../../src/util/broker-url.js';

// The two sets of rules the agent uses: cyborg.conf's transport_url (config) and the bus's URLs.
const OSLO: BrokerUrlRules = {
  schemes: { rabbit: 5672 },
  decoding: 'lenient',
  checkHostSyntax: true,
  atSignAfterHosts: 'anywhere',
};
const BUS: BrokerUrlRules = {
  schemes: DEFAULT_PORTS,
  decoding: 'strict',
  checkHostSyntax: false,
  atSignAfterHosts: 'path',
  defaultHost: 'localhost',
};

function parsed(text: string, rules: BrokerUrlRules): BrokerUrl {
  const result = parseBrokerUrlText(text, rules);
  assert.ok(result.ok, result.ok ? '' : `${text}: ${result.problem.reason}`);
  return result.value;
}

function problem(text: string, rules: BrokerUrlRules): BrokerUrlProblem {
  const result = parseBrokerUrlText(text, rules);
  assert.equal(result.ok, false, text);
  return result.ok ? assert.fail(text) : result.problem;
}

test('a comma list of hosts: credentials end at the last "@", the user name at the first ":", all decoded', () => {
  assert.deepEqual(parsed('RABBIT://u1:p%40ss@word@h1:5673,us%3Aer:a:b@h2,h3:/cloud%2Fvh?ssl=1#x', OSLO), {
    scheme: 'rabbit',
    hosts: [
      { host: 'h1', hostname: 'h1', port: 5673, username: 'u1', password: 'p@ss@word' },
      { host: 'h2', hostname: 'h2', port: 5672, username: 'us:er', password: 'a:b' },
      { host: 'h3', hostname: 'h3', port: 5672 },
    ],
    vhost: 'cloud/vh',
    query: '?ssl=1',
    fragment: '#x',
  });
  // Empty entries are skipped, as oslo skips them.
  assert.deepEqual(
    parsed('rabbit://,h1,,h2,', OSLO).hosts.map((h) => h.host),
    ['h1', 'h2'],
  );
});

test('user name and password are absent, empty or set as the credentials are written', () => {
  const [bare, userOnly, emptyUser, emptyPassword] = parsed('amqp://h1,u@h2,:p@h3,u:@h4', BUS).hosts;
  assert.deepEqual([bare!.username, bare!.password], [undefined, undefined]);
  assert.deepEqual([userOnly!.username, userOnly!.password], ['u', undefined]);
  assert.deepEqual([emptyUser!.username, emptyUser!.password], ['', 'p']);
  assert.deepEqual([emptyPassword!.username, emptyPassword!.password], ['u', '']);
});

test('IPv6 addresses in brackets, with and without a port', () => {
  const hosts = parsed('rabbit://u:p@[fd00::1]:5700,[::ffff:10.0.0.1]/', OSLO).hosts;
  assert.deepEqual(hosts[0], { host: '[fd00::1]', hostname: 'fd00::1', port: 5700, username: 'u', password: 'p' });
  assert.deepEqual(hosts[1], { host: '[::ffff:10.0.0.1]', hostname: '::ffff:10.0.0.1', port: 5672 });
  assert.equal(problem('rabbit://u:p@[::1/', OSLO).kind, 'unclosed-ipv6');
  assert.equal(problem('rabbit://[::1]x:5672/', OSLO).kind, 'text-after-ipv6');
  assert.equal(problem('rabbit://[]:5672/', OSLO).kind, 'no-host-name');
  assert.equal(problem('rabbit://[zz]/', OSLO).kind, 'bad-host-name', 'checked: not an IPv6 address');
  assert.equal(parsed('amqp://[zz]/', BUS).hosts[0]!.hostname, 'zz', 'unchecked');
});

test("the default port is the scheme's; a port must be a number from 1 to 65535", () => {
  assert.deepEqual(
    parsed('amqps://a,b:', BUS).hosts.map((h) => h.port),
    [5671, 5671],
    'an empty port is the default one',
  );
  assert.equal(parsed('rabbit://h', { ...OSLO, schemes: { rabbit: 5671 } }).hosts[0]!.port, 5671);
  assert.equal(parsed('amqp://h:65535', BUS).hosts[0]!.port, 65535);
  for (const port of ['0', '65536', '99999', 'port', '-1', '1e3', '5672x', ' 5672']) {
    for (const rules of [OSLO, BUS]) {
      const found = problem(`${rules === OSLO ? 'rabbit' : 'amqp'}://u:Secret1@h:${port}/`, rules);
      assert.equal(found.kind, 'bad-port', port);
      assert.equal(found.reason, `host 1 of 1 (u:***@h:${port}) has a port that is not a number from 1 to 65535`);
    }
  }
  // With the host check, at most 5 digits (as oslo's config always had); without it, any number of them.
  assert.equal(problem('rabbit://h:005672/', OSLO).kind, 'bad-port');
  assert.equal(parsed('amqp://h:005672/', BUS).hosts[0]!.port, 5672);
});

test('the host-name check is a rule: only letters, digits and . _ ~ % - when on', () => {
  for (const name of ['h!', 'h$x', 'é.example', 'a b']) {
    assert.equal(problem(`rabbit://${name}/`, OSLO).kind, 'bad-host-name', name);
    assert.equal(parsed(`amqp://${name}/`, BUS).hosts[0]!.hostname, name, name);
  }
  assert.equal(parsed('rabbit://rmq-1.example_x~%41/', OSLO).hosts[0]!.host, 'rmq-1.example_x~%41', 'kept as written');
});

test('the virtual host is the path after its first "/": absent for "" and "/", "//" is "/"', () => {
  assert.equal(parsed('amqp://h', BUS).vhost, undefined);
  assert.equal(parsed('amqp://h/', BUS).vhost, undefined);
  assert.equal(parsed('amqp://h//', BUS).vhost, '/');
  assert.equal(parsed('amqp://h/%2F', BUS).vhost, '/');
  assert.equal(parsed('amqp://h/a%2Fb?x#y', BUS).vhost, 'a/b');
  assert.deepEqual(parsed('amqp://h#f?q', BUS), {
    scheme: 'amqp',
    hosts: [{ host: 'h', hostname: 'h', port: 5672 }],
    query: '',
    fragment: '#f?q',
  });
});

test("percent-decoding: lenient keeps a bad escape as Python's unquote does, strict refuses it", () => {
  const lenient = parsed('rabbit://u%zz:p%C3%A9%@h/v%2', OSLO);
  assert.deepEqual([lenient.hosts[0]!.username, lenient.hosts[0]!.password, lenient.vhost], ['u%zz', 'pé%', 'v%2']);
  assert.equal(problem('amqp://u%zz:p@h/', BUS).kind, 'bad-encoding');
  const badUser = problem('amqp://u%zz:Secret1@h1,h2/', BUS);
  assert.deepEqual(badUser.kind === 'bad-encoding' && [badUser.part, badUser.host], ['username', { index: 0, count: 2, masked: 'u%zz:***@h1' }]);
  const badPassword = problem('amqp://h0,u:Secret1%C3@h1/', BUS);
  assert.equal(badPassword.reason, 'host 2 of 2 (u:***@h1) has a badly percent-encoded password');
  const badVhost = problem('amqp://u:Secret1@h/%zz', BUS);
  assert.deepEqual(badVhost.kind === 'bad-encoding' && [badVhost.part, badVhost.reason], ['vhost', 'has a badly percent-encoded virtual host']);
  // The virtual host is decoded before the hosts are read: its problem comes first.
  assert.equal(problem('amqp://h:port/%zz', BUS).kind, 'bad-encoding');
  assert.equal(unquote('a%20b%2Fc%'), 'a b/c%');
});

test('an "@" after the hosts: refused in the path, and in query and fragment too when the rules say so', () => {
  for (const rules of [OSLO, BUS]) {
    const scheme = rules === OSLO ? 'rabbit' : 'amqp';
    assert.equal(problem(`${scheme}://u:Sec/ret1@h/`, rules).kind, 'at-sign-after-hosts');
    assert.equal(problem(`${scheme}://h/v@x`, rules).kind, 'at-sign-after-hosts');
  }
  assert.equal(problem('rabbit://u:Sec?ret1@h/', OSLO).kind, 'at-sign-after-hosts');
  assert.equal(problem('rabbit://h/v#a@b', OSLO).kind, 'at-sign-after-hosts');
  assert.equal(parsed('amqp://h/v?to=a@b', BUS).query, '?to=a@b');
  // With the '@' allowed after the hosts, a host entry may be a password cut short: it is not shown.
  const cut = problem('amqp://u:Sec?ret1@h/', BUS);
  assert.deepEqual(cut.kind === 'bad-port' && cut.host, { index: 0, count: 1, masked: '***' });
});

test('schemes: only those of the rules, a missing one, and no prototype lookup', () => {
  assert.equal(problem('h1:5672', BUS).kind, 'no-scheme');
  assert.equal(problem(' amqp://h', BUS).kind, 'no-scheme', 'callers trim');
  assert.equal(problem('u:Secret1@h/?next=amqp://x', BUS).kind, 'no-scheme');
  for (const scheme of ['kafka', 'constructor', 'toString']) {
    const found = problem(`${scheme}://h`, OSLO);
    assert.deepEqual(found.kind === 'unsupported-scheme' && found.scheme, scheme.toLowerCase(), scheme);
  }
  assert.equal(problem('AMQP://h', OSLO).kind, 'unsupported-scheme');
  assert.equal(schemeOf('AMQPS://h'), 'amqps');
  assert.equal(schemeOf('h:5672'), undefined);
});

test('an empty host list: the default host, or a "no-host" problem', () => {
  assert.deepEqual(parsed('amqp://', BUS).hosts, [{ host: 'localhost', hostname: 'localhost', port: 5672 }]);
  assert.deepEqual(parsed('amqps://,/v', BUS).hosts, [{ host: 'localhost', hostname: 'localhost', port: 5671 }]);
  assert.equal(problem('rabbit:///', OSLO).kind, 'no-host');
  assert.equal(problem('rabbit://u:Secret1@/', OSLO).kind, 'no-host-name');
});

test('no reason ever contains the password, whatever is wrong', () => {
  const urls = [
    'u:Secret1@h',
    'u:Secret1@h/?x=amqp://',
    'kafka://u:Secret1@h/',
    'rabbit://u:Secret1@h:99999/',
    'rabbit://u:Secret1@h:port/',
    'rabbit://u:Secret1@[::1/',
    'rabbit://u:Secret1@[::1]x/',
    'rabbit://u:Secret1@/',
    'rabbit://u:Secret1@h!/',
    'rabbit://u:Sec/ret1@h/',
    'rabbit://u:Sec?ret1@h/',
    'rabbit://u:Sec#ret1@h/',
    'rabbit://ok:Secret1@h1,u:Secret1@h2:0/',
    'amqp://u:Secret1%zz@h/',
    'amqp://u:Sec?ret1@h/',
    'amqp://u:Sec#ret1@h/',
    'amqp://u:Sec?ret1@h:5672,h2:x/',
    'amqp://u:Secret1@h/%zz',
  ];
  for (const url of urls) {
    const results = [OSLO, BUS].map((rules) => parseBrokerUrlText(url, rules));
    assert.ok(
      results.some((result) => !result.ok),
      url,
    );
    for (const result of results) {
      if (!result.ok) assert.doesNotMatch(JSON.stringify(result), /Secret1|Sec\b|ret1/, url);
    }
    assert.doesNotMatch(maskUrlText(url), /Secret1|Sec\b|ret1/, url);
  }
});

test('masking a URL as typed: every password, also one holding "/", "@", "?" or "#"', () => {
  assert.equal(maskUrlText('rabbit://u1:p1@h1,u2:p2@h2/vh?x=1'), 'rabbit://u1:***@h1,u2:***@h2/vh?x=1');
  assert.equal(maskUrlText('amqp://u:pa/ss@h/v'), 'amqp://u:***@h/v');
  assert.equal(maskUrlText('amqp://u:p@ss@h/'), 'amqp://u:***@h/');
  assert.equal(maskUrlText('amqp://u:p?s#s@[::1]:5672/v'), 'amqp://u:***@[::1]:5672/v');
  assert.equal(maskUrlText('amqp://u@h:5672/'), 'amqp://u@h:5672/', 'no password, nothing to mask');
  assert.equal(maskUrlText('amqp://h:5672/'), 'amqp://h:5672/');
  assert.equal(maskUrlText('u:secret@h'), '***', 'without a scheme, anything with an "@" is masked whole');
  assert.equal(maskUrlText('h:5672'), 'h:5672');
});
