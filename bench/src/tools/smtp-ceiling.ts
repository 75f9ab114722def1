// How fast the invitations bench's loopback SMTP sink can take messages at all, whatever Plinto
// does: the sink of bench/src/invitations.ts fed by (1) pooled nodemailer, 16 connections, 16
// messages at once (the bench's raw floor) and (2) a bare socket client that pipelines MAIL, RCPT
// and DATA (RFC 2920) on 16 connections. The sink runs in a child process, so its own CPU per
// message is measured apart from the sender's. Usage: tsx bench/src/tools/smtp-ceiling.ts [messages]
import { fork } from 'node:child_process';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { startCountingSmtpSink } from '../smtp-sink';

const MESSAGES = Number(process.argv[2] ?? 4000);
const CONNECTIONS = 16;
/** Only the senders whose names contain this (e.g. `raw`). */
const ONLY = process.argv[3] ?? '';

if (process.env.SMTP_CEILING_SINK === '1') {
  // Child: the same sink as the invitations bench; answers 'count' with messages received and CPU used.
  const sink = await startCountingSmtpSink();
  process.send!({ port: sink.port });
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send!({ received: sink.received(), cpuMs: (cpu.user + cpu.system) / 1000 });
  });
} else {
  await main();
}

async function main() {
  const child = fork(new URL(import.meta.url).pathname, [], { env: { ...process.env, SMTP_CEILING_SINK: '1' }, execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once('message', (m: any) => resolve(m.port)));
  const ask = () => new Promise<{ received: number; cpuMs: number }>((resolve) => {
    child.once('message', (m: any) => resolve(m));
    child.send('count');
  });
  const body = (i: number) =>
    `From: Bench <bench@plinto.local>\r\nTo: r${i}@bench.test\r\nSubject: You are invited to join Bench Org on Bench\r\nContent-Type: text/plain\r\n\r\nAccept: https://app.bench.test/accept-invitation?token=${'x'.repeat(43)}\r\n.\r\n`;

  const measure = async (name: string, send: (n: number) => Promise<void>) => {
    if (!name.includes(ONLY)) return;
    await send(200); // warm-up
    const before = await ask();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await send(MESSAGES);
    let after = await ask();
    while (after.received - before.received < MESSAGES) after = await ask();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `${name}: ${(MESSAGES / seconds).toFixed(0)} msg/s; CPU per message: sink ${(((after.cpuMs - before.cpuMs) / MESSAGES) * 1000).toFixed(0)} µs, sender ${(((cpu.user + cpu.system) / MESSAGES)).toFixed(0)} µs`,
    );
  };

  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, pool: true, maxConnections: CONNECTIONS, maxMessages: 500 });
  await measure(`pooled nodemailer, ${CONNECTIONS} connections`, async (n) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < n) {
          const i = next++;
          await transport.sendMail({ from: 'bench@plinto.local', to: `r${i}@bench.test`, subject: 'You are invited to join Bench Org on Bench', text: `Accept: https://app.bench.test/accept-invitation?token=${'x'.repeat(43)}`, html: '<p>Accept</p>' });
        }
      }),
    );
  });
  transport.close();

  // The same messages composed once by nodemailer's MailComposer to a Buffer and handed over raw.
  const MailComposer = (await import('nodemailer/lib/mail-composer/index.js')).default as any;
  const rawTransport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, pool: true, maxConnections: CONNECTIONS, maxMessages: 500 });
  await measure(`pooled nodemailer, message prebuilt by MailComposer, sent raw`, async (n) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < n) {
          const i = next++;
          const mail = { from: 'bench@plinto.local', to: `r${i}@bench.test`, subject: 'You are invited to join Bench Org on Bench', text: `Accept: https://app.bench.test/accept-invitation?token=${'x'.repeat(43)}`, html: '<p>Accept</p>' };
          const raw: Buffer = await new MailComposer(mail).compile().build();
          await rawTransport.sendMail({ envelope: { from: mail.from, to: [mail.to] }, raw });
        }
      }),
    );
  });
  rawTransport.close();

  // A bare SMTP client: per message, MAIL+RCPT+DATA in one write, then the body after 354.
  const pipelined = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1');
          let buffer = '';
          let state: 'greeting' | 'ehlo' | 'envelope' | 'data' = 'greeting';
          let replies = 0;
          const start = () => {
            if (next >= n) {
              socket.end('QUIT\r\n');
              return resolve();
            }
            const i = next++;
            (socket as any).current = i;
            state = 'envelope';
            replies = 0;
            socket.write(`MAIL FROM:<bench@plinto.local>\r\nRCPT TO:<r${i}@bench.test>\r\nDATA\r\n`);
          };
          socket.on('error', reject);
          socket.on('data', (chunk) => {
            buffer += chunk.toString();
            let nl: number;
            while ((nl = buffer.indexOf('\r\n')) >= 0) {
              const line = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 2);
              if (line[3] === '-') continue; // multi-line reply continues
              if (state === 'greeting') {
                state = 'ehlo';
                socket.write('EHLO bench\r\n');
              } else if (state === 'ehlo') start();
              else if (state === 'envelope') {
                if (++replies === 3) {
                  if (!line.startsWith('354')) return reject(new Error(line));
                  state = 'data';
                  socket.write(body((socket as any).current));
                }
              } else start();
            }
          });
        }),
      ),
    );
  };
  await measure(`bare pipelined socket client, ${CONNECTIONS} connections`, pipelined);
  child.kill();
}
