//! Child processes the tests start and always stop: a moto server of our own, started on a
//! free loopback port from the project's virtualenv (plain, on HTTPS, or through the stack
//! world's `moto_aws.py`).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long moto may take to start answering (it imports a lot of Python).
const STARTUP: Duration = Duration::from_secs(60);

/// A child process that is killed when dropped, so no test leaves one behind.
pub struct Running {
    child: Child,
    name: &'static str,
}

impl Running {
    pub fn new(name: &'static str, child: Child) -> Running {
        Running { child, name }
    }

    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Already gone is fine; anything else would leave a stray process, so say so.
        if let Err(e) = self.child.kill() {
            eprintln!("stopping {}: {e}", self.name);
        }
        if let Err(e) = self.child.wait() {
            eprintln!("waiting for {}: {e}", self.name);
        }
    }
}

/// A running moto server.
pub struct Moto {
    _process: Running,
    pub endpoint: String,
}

/// The installed `moto_server`, or a failure telling how to install it: these tests never
/// skip themselves.
fn moto_server() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/moto/bin/moto_server");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/e2e-setup.sh to install the AWS emulator the end-to-end tests need",
        path.display()
    );
    path
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    listener.local_addr().expect("local address").port()
}

/// Waits until something accepts connections on `port`, or panics naming `what`.
pub fn wait_for_port(port: u16, what: &str, child: &mut Child) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let start = Instant::now();
    while start.elapsed() < STARTUP {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before answering on port {port}: {status}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not answer on port {port} within {STARTUP:?}");
}

/// The moto virtualenv's Python, which runs the stack world's launcher and builder.
pub fn moto_python() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/moto/bin/python");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/e2e-setup.sh to install the AWS emulator the end-to-end tests need",
        path.display()
    );
    path
}

impl Moto {
    /// Starts a fresh server (empty state).
    pub fn start() -> Moto {
        Moto::spawn(Command::new(moto_server()), "http://127.0.0.1")
    }

    /// Starts a fresh server through `moto_aws.py`: moto with the corrections its IAM
    /// enforcement needs to judge the stack's policies as AWS does (see that file).
    pub fn start_stack_world() -> Moto {
        let mut command = Command::new(moto_python());
        command.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lambda_e2e/moto_aws.py"));
        Moto::spawn(command, "http://127.0.0.1")
    }

    /// Starts a fresh server answering HTTPS only, with the certificate in `cert` (PEM, for
    /// `localhost`) and its key in `key`.
    pub fn start_tls(cert: &Path, key: &Path) -> Moto {
        let mut command = Command::new(moto_server());
        command
            .arg("--ssl-cert")
            .arg(cert)
            .arg("--ssl-key")
            .arg(key);
        // The certificate names `localhost`, which resolves to the address moto listens on.
        Moto::spawn(command, "https://localhost")
    }

    /// Starts `command` on a free port of 127.0.0.1, reached at `base` (scheme and host).
    fn spawn(mut command: Command, base: &str) -> Moto {
        let port = free_port();
        let child = command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting moto_server");
        let mut process = Running::new("moto_server", child);
        wait_for_port(port, "moto_server", process.child());
        Moto {
            _process: process,
            endpoint: format!("{base}:{port}"),
        }
    }
}
