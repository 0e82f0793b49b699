//! Writing a fixed file without ever leaving it half-written: the new bytes go to a temporary file
//! in the same directory, which is synced and then renamed over the original, keeping its mode and
//! owner. Links (symbolic or hard) are never written through, read-only files and directories are
//! left alone, and a file that changed since it was read is skipped rather than overwritten.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Prefix of our temporary files, so a user can recognise one left by a killed process.
pub const TEMP_PREFIX: &str = ".pulumi-fix-";

pub fn write_atomically(path: &Path, expected_current: &[u8], new_bytes: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let metadata = fs::symlink_metadata(path).map_err(|e| format!("not written: cannot read it any more: {e}"))?;
    if metadata.file_type().is_symlink() {
        return Err("not written: it is a symbolic link, and pulumi-fix never writes through links".into());
    }
    if !metadata.is_file() {
        return Err("not written: it is not a regular file".into());
    }
    if metadata.permissions().readonly() {
        return Err("not written: the file is read-only; make it writable to apply the fix".into());
    }
    if metadata.nlink() > 1 {
        return Err("not written: the file has other hard links, which replacing it would leave with the old text".into());
    }
    let directory = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // Checked, not left to the OS: a superuser could otherwise write into a directory its owner
    // made read-only.
    if fs::metadata(directory).is_ok_and(|d| d.permissions().readonly()) {
        return Err("not written: its directory is read-only; make it writable to apply the fix".into());
    }
    let current = fs::read(path).map_err(|e| format!("not written: cannot read it any more: {e}"))?;
    if current != expected_current {
        return Err(CHANGED_ON_DISK.into());
    }
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(directory)
        .map_err(|e| format!("not written: cannot create a temporary file in {}: {e}", directory.display()))?;
    temp.write_all(new_bytes).map_err(|e| format!("not written: {e}"))?;
    temp.as_file().set_permissions(metadata.permissions()).map_err(|e| format!("not written: cannot keep permissions: {e}"))?;
    if std::os::unix::fs::fchown(temp.as_file(), Some(metadata.uid()), Some(metadata.gid())).is_err() {
        return Err("not written: the file belongs to another user, and replacing it would change its owner".into());
    }
    temp.as_file().sync_all().map_err(|e| format!("not written: {e}"))?;
    // Last look before the rename: an editor may have saved the file meanwhile.
    if fs::read(path).map_err(|e| format!("not written: {e}"))? != expected_current {
        return Err(CHANGED_ON_DISK.into());
    }
    temp.persist(path).map_err(|e| format!("not written: cannot replace the file: {}", e.error))?;
    if let Ok(dir) = fs::File::open(directory) {
        // Make the rename itself durable; not all platforms allow syncing a directory.
        let _ = dir.sync_all();
    }
    Ok(())
}

const CHANGED_ON_DISK: &str = "not written: the file changed on disk since pulumi-fix read it (your edit is kept); run pulumi-fix again";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"old", b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
    }

    #[test]
    fn refuses_changed_readonly_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "edited by the user").unwrap();
        assert!(write_atomically(&path, b"old", b"new").unwrap_err().contains("changed on disk"));
        assert_eq!(fs::read(&path).unwrap(), b"edited by the user");

        let link = dir.path().join("link.py");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(write_atomically(&link, b"edited by the user", b"new").unwrap_err().contains("symbolic link"));

        let mut perms = fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        fs::set_permissions(&path, perms).unwrap();
        assert!(write_atomically(&path, b"edited by the user", b"new").unwrap_err().contains("read-only"));
        assert_eq!(fs::read(&path).unwrap(), b"edited by the user");
    }
}
