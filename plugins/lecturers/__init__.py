"""讲师团 (lecturers) plugin: 讲师团与村里点单的宣讲."""
