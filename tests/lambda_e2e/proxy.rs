//! A fault-injecting HTTP proxy on loopback, between the function's SDK clients and moto.
//!
//! Each request is read whole, recognised as the S3 or SNS operation it is, and either passed
//! to moto or answered with the fault armed for that operation: an error status with the
//! service's error body, a delay, a connection reset, or moto's real answer with its body cut
//! short. One connection carries one request (`Connection: close`), so a fault never leaks
//! into the next request.
//!
//! In front of cargo-lambda's Runtime API emulator it also mends the one header the emulator
//! gets wrong ([`FaultProxy::start_runtime_api`]).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The calls the function makes, as the proxy recognises them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    GetObject,
    GetObjectAcl,
    PublishBatch,
    Other,
}

/// What to do instead of (or to) moto's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and the service's error code for it.
    Status(u16, &'static str),
    /// Forward, but hold the answer back this long first.
    Slow(Duration),
    /// Read the request, then reset the connection.
    Reset,
    /// Forward, and send only the first half of moto's body (the length header stays whole).
    Truncate,
}

#[derive(Default)]
struct Armed {
    /// Per operation: the fault and how many more requests it hits (`None`: until cleared).
    faults: HashMap<Op, (Fault, Option<usize>)>,
    /// Per operation: how many requests were faulted.
    injected: HashMap<Op, usize>,
    /// Per operation: how many requests were seen.
    seen: HashMap<Op, usize>,
    /// Rewrite a relative `Lambda-Runtime-Deadline-Ms` into the epoch time Lambda sends.
    epoch_deadline: bool,
}

/// A running proxy; it stops accepting when dropped.
pub struct FaultProxy {
    pub endpoint: String,
    armed: Arc<Mutex<Armed>>,
    addr: SocketAddr,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` (moto's `http://host:port`).
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("moto's endpoint is host:port");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let armed = Arc::new(Mutex::new(Armed::default()));
        let shared = Arc::clone(&armed);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if Arc::strong_count(&shared) == 1 {
                    return; // The proxy was dropped; this was the wake-up connection.
                }
                let armed = Arc::clone(&shared);
                std::thread::spawn(move || serve(client, upstream, &armed));
            }
        });
        FaultProxy {
            endpoint: format!("http://{addr}"),
            armed,
            addr,
        }
    }

    /// A proxy in front of cargo-lambda's Runtime API emulator at `upstream`. The emulator
    /// answers `/next` with `Lambda-Runtime-Deadline-Ms: 600000`, a duration where Lambda sends
    /// the deadline as milliseconds since the epoch, so a function would see a deadline in
    /// 1970 and no time left at all; the proxy turns a value that is no plausible epoch time
    /// into now plus that many milliseconds, as Lambda would have sent.
    pub fn start_runtime_api(upstream: &str) -> FaultProxy {
        let proxy = FaultProxy::start(upstream);
        proxy.armed.lock().unwrap().epoch_deadline = true;
        proxy
    }

    /// Faults the next `times` requests of `op` (`None`: every one until [`FaultProxy::clear`]).
    pub fn arm(&self, op: Op, fault: Fault, times: Option<usize>) {
        self.armed.lock().unwrap().faults.insert(op, (fault, times));
    }

    /// Lets every request through again.
    pub fn clear(&self) {
        self.armed.lock().unwrap().faults.clear();
    }

    /// Requests of `op` faulted so far.
    pub fn injected(&self, op: Op) -> usize {
        let armed = self.armed.lock().unwrap();
        armed.injected.get(&op).copied().unwrap_or(0)
    }

    /// Requests of `op` seen so far.
    pub fn seen(&self, op: Op) -> usize {
        let armed = self.armed.lock().unwrap();
        armed.seen.get(&op).copied().unwrap_or(0)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // Wakes the accept loop so it sees it is alone and returns.
        let _ = TcpStream::connect(self.addr);
    }
}

/// A request as read off the wire.
struct Request {
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn op(&self) -> Op {
        let line = self.head.lines().next().unwrap_or_default();
        let mut parts = line.split(' ');
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        // Path-style S3: `/bucket` is a bucket call, `/bucket/key` an object call.
        let object = path.trim_start_matches('/').contains('/');
        let acl = query
            .split('&')
            .any(|p| p == "acl" || p.starts_with("acl="));
        match method {
            "GET" if object && acl => Op::GetObjectAcl,
            "GET" if object => Op::GetObject,
            "POST" if contains(&self.body, b"Action=PublishBatch") => Op::PublishBatch,
            _ => Op::Other,
        }
    }

    /// The request to send upstream: the same, on a connection that closes after it.
    fn forwarded(&self) -> Vec<u8> {
        let mut out = String::new();
        for line in self.head.split("\r\n").filter(|l| !l.is_empty()) {
            if !line.to_ascii_lowercase().starts_with("connection:") {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
        out.push_str("Connection: close\r\n\r\n");
        [out.into_bytes(), self.body.clone()].concat()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn serve(client: TcpStream, upstream: SocketAddr, armed: &Mutex<Armed>) {
    // Each answer goes out in one write; waiting for an ACK before sending it only adds delay.
    let _ = client.set_nodelay(true);
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    let op = request.op();
    let fault = {
        let mut armed = armed.lock().unwrap();
        *armed.seen.entry(op).or_default() += 1;
        let fault = match armed.faults.get_mut(&op) {
            Some((fault, None)) => Some(*fault),
            Some((fault, Some(left))) if *left > 0 => {
                *left -= 1;
                Some(*fault)
            }
            _ => None,
        };
        if fault.is_some() {
            *armed.injected.entry(op).or_default() += 1;
        }
        fault
    };
    let mut client = client;
    match fault {
        Some(Fault::Status(status, code)) => {
            let _ = client.write_all(&error_response(op, status, code));
        }
        Some(Fault::Reset) => {
            // Zero linger turns the close into a reset.
            let _ = socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO));
            return;
        }
        Some(Fault::Slow(delay)) => {
            let Some(answer) = forward(&request, upstream) else {
                return;
            };
            std::thread::sleep(delay);
            let _ = client.write_all(&answer.encode(answer.body.len()));
        }
        Some(Fault::Truncate) => {
            let Some(answer) = forward(&request, upstream) else {
                return;
            };
            let _ = client.write_all(&answer.encode(answer.body.len() / 2));
        }
        None => {
            let Some(mut answer) = forward(&request, upstream) else {
                return;
            };
            if armed.lock().unwrap().epoch_deadline {
                answer.deadline_from_now();
            }
            let _ = client.write_all(&answer.encode(answer.body.len()));
        }
    }
    let _ = client.flush();
    let _ = client.shutdown(Shutdown::Both);
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { head, body })
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// moto's answer, re-framed with a Content-Length whatever framing it came in.
struct Answer {
    status_line: String,
    headers: Vec<String>,
    body: Vec<u8>,
}

/// Milliseconds since the epoch below which a deadline is taken for a duration (2001-09-09).
const EPOCH_MS_FLOOR: u128 = 1_000_000_000_000;

impl Answer {
    /// A `Lambda-Runtime-Deadline-Ms` that is a duration becomes now plus that duration.
    fn deadline_from_now(&mut self) {
        for line in &mut self.headers {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if !name
                .trim()
                .eq_ignore_ascii_case("lambda-runtime-deadline-ms")
            {
                continue;
            }
            let Ok(ms) = value.trim().parse::<u128>() else {
                continue;
            };
            if ms < EPOCH_MS_FLOOR {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis();
                *line = format!("{}: {}", name.trim(), now + ms);
            }
        }
    }

    /// The answer with its full length announced and only `send` bytes of body.
    fn encode(&self, send: usize) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.status_line);
        for h in &self.headers {
            out.push_str(h);
            out.push_str("\r\n");
        }
        out.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        [out.as_bytes(), &self.body[..send]].concat()
    }
}

/// The upstream's answer; `None` when it closed the connection without one (the Runtime API
/// emulator does, for the `/next` a function is still waiting on, when the test stops it).
fn forward(request: &Request, upstream: SocketAddr) -> Option<Answer> {
    let mut moto = TcpStream::connect(upstream).expect("moto is up");
    let _ = moto.set_nodelay(true);
    moto.write_all(&request.forwarded()).unwrap();
    let mut raw = Vec::new();
    moto.read_to_end(&mut raw).unwrap();
    if raw.is_empty() {
        return None;
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer from moto");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_string();
    let chunked = header(&head, "transfer-encoding").is_some_and(|v| v.contains("chunked"));
    let headers = lines
        .filter(|l| {
            let name = l
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            !matches!(
                name.as_str(),
                "content-length" | "transfer-encoding" | "connection"
            )
        })
        .map(String::from)
        .collect();
    let rest = &raw[split + 4..];
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Some(Answer {
        status_line,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            break;
        }
        body.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
    body
}

/// An error answer in the shape the service gives it: S3's `<Error>`, SNS's `<ErrorResponse>`.
fn error_response(op: Op, status: u16, code: &str) -> Vec<u8> {
    let body = match op {
        Op::PublishBatch => format!(
            "<ErrorResponse><Error><Type>{}</Type><Code>{code}</Code><Message>injected</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>",
            if status < 500 { "Sender" } else { "Receiver" }
        ),
        _ => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected</Message><RequestId>fault-proxy</RequestId></Error>"
        ),
    };
    format!(
        "HTTP/1.1 {status} Injected\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
