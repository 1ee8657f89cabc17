//! The stdio transport: one thread reads framed messages from stdin, one
//! writes them to stdout. Unlike lsp-server's own transport, a frame whose
//! body is not a JSON-RPC message is logged on stderr and skipped: bad input
//! never ends the server, only the end of stdin or the `exit` notification do.

use lsp_server::{Connection, Message};
use std::io::{self, BufReader, Write};
use std::thread::JoinHandle;

/// The transport's threads, to join when the server is done.
pub struct IoThreads {
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Waits for both threads (the writer ends once every sender is dropped).
    pub fn join(self) {
        let _ = self.writer.join();
        // The reader may still be blocked on stdin when the client keeps it
        // open after `exit`; it ends with the process.
        if self.reader.is_finished() {
            let _ = self.reader.join();
        }
    }
}

/// A connection over stdin and stdout.
pub fn connection() -> (Connection, IoThreads) {
    let (to_server, receiver) = crossbeam_channel::unbounded::<Message>();
    let (sender, from_server) = crossbeam_channel::unbounded::<Message>();
    let reader = std::thread::spawn(move || {
        let mut stdin = BufReader::new(io::stdin().lock());
        loop {
            match Message::read(&mut stdin) {
                Ok(Some(msg)) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if to_server.send(msg).is_err() || exit {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    eprintln!("dfsplit lsp: skipped a message that is not JSON-RPC: {e}");
                }
                Err(e) => {
                    eprintln!("dfsplit lsp: cannot read stdin: {e}");
                    return;
                }
            }
        }
    });
    let writer = std::thread::spawn(move || {
        let mut stdout = io::stdout().lock();
        for msg in from_server {
            if let Err(e) = msg.write(&mut stdout).and_then(|_| stdout.flush()) {
                eprintln!("dfsplit lsp: cannot write stdout: {e}");
                return;
            }
        }
    });
    (
        Connection { sender, receiver },
        IoThreads { reader, writer },
    )
}
