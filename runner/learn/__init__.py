"""``dailyplan learn``: a browser recording (HAR) in, a commented ``dailyplan.toml`` out.

``har`` reads the file, ``moments`` finds the login, the history read and the submit, ``infer``
turns them into ``[site]`` keys, ``write`` renders the config and ``command`` ties them together.
Everything but ``command`` is pure: plain data in, plain data out.
"""
