

def test_prose_is_not_code(tmp_path):
    """A sentence edited after a sweep leaves its runs current; a code line does not."""
    import shutil

    from bookkit.chapters import BOOK, code_hash
    shutil.copy(BOOK / "memory_functions.py", tmp_path / "memory_functions.py")
    before = code_hash("memory_functions", tmp_path)
    path = tmp_path / "memory_functions.py"
    text = path.read_text()
    marker = "# %% [markdown]\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "# A sentence added later.\n#\n", 1))
    assert code_hash("memory_functions", tmp_path) == before
    path.write_text(text.replace("# %%\n", "# %%\nx_added_later = 1\n", 1))
    assert code_hash("memory_functions", tmp_path) != before
