//! Finding and reading trace files for `validate`, bounded whatever the file system holds
//! (issue 18 item 11): a directory walk that never follows a symbolic link to a directory
//! (a link loop made it run forever, growing 13 MB/s) and visits each directory once, and a
//! size limit on every file read (checked while reading, so that a FIFO or a device behind a
//! path cannot make it read without end either).

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The default `--max-file-size`: 16 MiB. The corpus's and the recordings' largest trace is
/// under 20 KB. An IMAP trace is replayed as it is read (memory: a multiple of its largest
/// message, not of the file), a POP3 trace is read whole (`mailtrace::stream`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// What a walk found: the trace files in order, and the symbolic links to directories it did
/// not follow.
#[derive(Debug, Default)]
pub struct Found {
    /// The files to check: the paths given that are not directories, and the `*.trace`
    /// files under the directories given, sorted per directory.
    pub files: Vec<PathBuf>,
    /// Symbolic links to directories found inside a walk, not followed.
    pub skipped_links: Vec<PathBuf>,
}

/// Adds the files under `path` to `found`. A path given on the command line is followed
/// even when it is a symbolic link (the user named it); inside a directory, links to files
/// are read (a file cannot loop) and links to directories are skipped and listed. A
/// directory reached twice (by two names given) is walked once.
pub fn collect(path: &Path, found: &mut Found) -> std::io::Result<()> {
    let mut seen = HashSet::new();
    walk(path, found, &mut seen, true)
}

fn walk(
    path: &Path,
    found: &mut Found,
    seen: &mut HashSet<PathBuf>,
    given: bool,
) -> std::io::Result<()> {
    let link = std::fs::symlink_metadata(path)?.file_type().is_symlink();
    if !path.is_dir() {
        found.files.push(path.to_path_buf());
        return Ok(());
    }
    if link && !given {
        found.skipped_links.push(path.to_path_buf());
        return Ok(());
    }
    if !seen.insert(path.canonicalize()?) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for e in entries {
        if e.is_dir() || e.extension().is_some_and(|x| x == "trace") {
            walk(&e, found, seen, false)?;
        }
    }
    Ok(())
}

/// Opens a file to be read incrementally, of at most `limit` octets: a regular file whose
/// size is over it is refused at once; anything else (a file that grows, a FIFO, a device)
/// fails with an error once more than `limit` octets have been read.
pub fn open_limited(path: &Path, limit: u64) -> Result<BufReader<Limited>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > limit
    {
        return Err(format!(
            "{} octets, over the limit of {limit} (--max-file-size)",
            meta.len()
        ));
    }
    Ok(BufReader::new(Limited {
        file: file.take(limit.saturating_add(1)),
        read: 0,
        limit,
    }))
}

/// A file that fails once more than its limit has been read from it.
#[derive(Debug)]
pub struct Limited {
    file: std::io::Take<std::fs::File>,
    read: u64,
    limit: u64,
}

impl Read for Limited {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read = self
            .read
            .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        if self.read > self.limit {
            return Err(std::io::Error::other(format!(
                "more than {} octets, over the limit (--max-file-size)",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// Reads a file of at most `limit` octets whole ([`open_limited`]); a larger one is an error,
/// found without reading more than `limit + 1` octets.
#[cfg(test)]
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    open_limited(path, limit)?
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory in the system temp dir, removed at the end.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("mailconform-files-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Issue 18 item 11: a directory with a symbolic link to itself (and one to its parent)
    /// is walked once; the links are listed, not followed.
    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_not_followed() {
        let s = Scratch::new("loop");
        let sub = s.0.join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("a.trace"), "x").unwrap();
        std::fs::write(s.0.join("b.trace"), "x").unwrap();
        std::fs::write(s.0.join("notes.txt"), "x").unwrap();
        std::os::unix::fs::symlink(&s.0, sub.join("loop")).unwrap();
        std::os::unix::fs::symlink(&sub, s.0.join("again")).unwrap();
        std::os::unix::fs::symlink(s.0.join("b.trace"), sub.join("c.trace")).unwrap();
        let mut found = Found::default();
        collect(&s.0, &mut found).unwrap();
        let names: Vec<_> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(&s.0).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["b.trace", "sub/a.trace", "sub/c.trace"]);
        assert_eq!(found.skipped_links.len(), 2);
        // The same directory given twice is walked once.
        let mut twice = Found::default();
        let mut seen = HashSet::new();
        walk(&s.0, &mut twice, &mut seen, true).unwrap();
        walk(&s.0, &mut twice, &mut seen, true).unwrap();
        assert_eq!(twice.files.len(), 3);
    }

    /// The size limit: at the limit is read, one octet over is refused, and a file that
    /// grows past what its metadata says is cut at `limit + 1` octets read.
    #[test]
    fn files_over_the_limit_are_refused() {
        let s = Scratch::new("size");
        let f = s.0.join("big.trace");
        std::fs::write(&f, vec![b'x'; 1000]).unwrap();
        assert_eq!(read_limited(&f, 1000).unwrap().len(), 1000);
        let err = read_limited(&f, 999).unwrap_err();
        assert!(err.contains("over the limit"), "{err}");
    }

    /// A device that never ends is read up to the limit only, read whole or line by line
    /// (as validate reads: the error ends the trace).
    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_cut_at_the_limit() {
        let err = read_limited(Path::new("/dev/zero"), 4096).unwrap_err();
        assert!(err.contains("over the limit"), "{err}");
        let input = open_limited(Path::new("/dev/zero"), 4096).unwrap();
        let err = mailtrace::format::Reader::new(input).unwrap_err();
        assert!(err.to_string().contains("over the limit"), "{err}");
    }
}
